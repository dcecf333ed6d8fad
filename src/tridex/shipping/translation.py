from modeltranslation.translator import TranslationOptions, register

from tridex.shipping.models import ShippingMethod


@register(ShippingMethod)
class ShippingMethodTranslation(TranslationOptions):
    fields = ("name", "description")
