package io.otpflow.gateway.pages;

/**
 * The pages a person uses for their own sign-in and 2FA, registered together from {@link WebRoutes}:
 * the second factor of signing in, setup when 2FA is required, and the security page with its changes.
 */
final class PersonPages {
  private PersonPages() {}

  static void register(WebPlatform web, WebRoutes routes) {
    new SecondFactorPages(web).register(routes);
    new SetupPages(web).register(routes);
    new SecurityPages(web).register(routes);
    new AddFactorPages(web).register(routes);
    new ChangePages(web).register(routes);
  }
}
