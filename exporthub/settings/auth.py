"""Users, logins and their throttling (django-axes), second factors, passwords."""

from __future__ import annotations

from datetime import timedelta

from .core import env

AUTH_USER_MODEL = "tenancy.User"
# Login throttling (django-axes): after 10 failures for one email from one address, that pair
# waits 15 minutes. Keyed on the pair so an attacker cannot lock a user out from elsewhere; the
# address is ours (`client_ip`: REMOTE_ADDR, or what TRUSTED_PROXY_COUNT proxies saw).
# The email is counted as the login compares it (trimmed, case-folded), and one address may fail
# LOGIN_ADDRESS_FAILURE_LIMIT times in LOGIN_ADDRESS_WINDOW_MINUTES whatever the emails
# (password spraying) before every login from it waits out the window.
AUTHENTICATION_BACKENDS = [
    "exporthub.tenancy.throttling.LoginThrottleBackend",  # refuses locked-out attempts only
    "django.contrib.auth.backends.ModelBackend",
]
AXES_USERNAME_CALLABLE = "exporthub.tenancy.throttling.login_name"
OTP_TOTP_ISSUER = "ExportHub"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
LOGIN_ADDRESS_WINDOW_MINUTES = 15
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (it holds the email)
AXES_CLIENT_IP_CALLABLE = "exporthub.tenancy.auditlog.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
