"""Two-factor sign-in: devices and forms (django-otp), the login view and the setup page."""
