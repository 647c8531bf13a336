package io.otpflow.gateway.pages.view;

/**
 * An admin's sensitive change was refused for want of a recent second factor ({@code pages/confirm.jte}):
 * the way to give it again, or, without any second factor, the way to set one up first.
 *
 * @param hasTwoFactor whether the admin has a second factor to confirm with
 * @param trustedBrowser whether this session's sign-in skipped the code on a trusted browser (said, so the
 *     admin knows why they are asked although they signed in a moment ago)
 * @param confirmAction where the confirm button posts
 * @param securityHref the admin's own security page
 */
public record ConfirmView(boolean hasTwoFactor, boolean trustedBrowser, String confirmAction, String securityHref) {}
