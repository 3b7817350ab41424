from django.apps import AppConfig


class SecurityTestAppConfig(AppConfig):
    name = "tests.security.testapp"
    label = "security_testapp"
