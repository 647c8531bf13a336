package io.otpflow.gateway.pages.view;

/** The forced setup's first page ({@code pages/setup.jte}): the app first, a phone number as the alternative. */
public record SetupView(String company, Notice error, String appAction, PhoneFormView phone, String signOutAction) {}
