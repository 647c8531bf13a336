package io.otpflow.gateway.pages.view;

/** A signed-in person's password change ({@code pages/password.jte}). */
public record PasswordView(String action, String username, Notice error, int minPassword, int maxPassword,
    String back) {}
