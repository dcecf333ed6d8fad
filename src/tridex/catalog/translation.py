from modeltranslation.translator import TranslationOptions, register

from tridex.catalog.models import Category, Option, OptionValue, Product, ProductImage, ProductType


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "slug", "description", "seo_title", "seo_description")


@register(Option)
class OptionTranslation(TranslationOptions):
    fields = ("name",)


@register(OptionValue)
class OptionValueTranslation(TranslationOptions):
    fields = ("name",)


@register(ProductType)
class ProductTypeTranslation(TranslationOptions):
    fields = ("name",)


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "slug", "description", "seo_title", "seo_description")


@register(ProductImage)
class ProductImageTranslation(TranslationOptions):
    fields = ("alt",)
