from django.apps import AppConfig


class ProConnectConfig(AppConfig):
    name = "engagements.proconnect"
    label = "proconnect"
    verbose_name = "Connexion ProConnect"

    def ready(self):
        from engagements.shell import hooks
        from engagements.shell.addresses import register_address

        from .login_button import login_button

        hooks.register_login_option(login_button)
        register_address("sso_logout", "proconnect:logout")
