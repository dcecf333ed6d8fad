from modeltranslation.translator import TranslationOptions, register

from tridex.markets.models import Market


@register(Market)
class MarketTranslation(TranslationOptions):
    fields = ("name",)
