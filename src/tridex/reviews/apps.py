from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "tridex.reviews"
    verbose_name = _("Reviews")
