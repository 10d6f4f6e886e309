"""Crisis resources, edited by the admins: one page per locale with its helplines."""

from django.contrib import admin
from django.db import models

from .models import CrisisLocale, CrisisResource


class CrisisResourceInline(admin.StackedInline):
    model = CrisisResource
    extra = 0
    fields = (("position", "kind"), "name", ("call", "text"), "url", "hours", "source")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(CrisisLocale)
class CrisisLocaleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "needs_check", "position")
    list_editable = ("position",)
    inlines = [CrisisResourceInline]
