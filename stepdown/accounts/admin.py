from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class MemberAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Community", {"fields": ("is_moderator",)}))
    list_display = ("username", "email", "is_moderator", "is_staff", "date_joined")
    list_filter = ("is_moderator", "is_staff", "is_superuser", "is_active")
