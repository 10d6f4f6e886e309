from django.contrib import admin

from .models import Report, SafetyPhrase


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["target_type", "target_id", "reason", "status", "created_at"]
    list_filter = ["status", "target_type", "reason"]
    readonly_fields = ["reporter", "target_type", "target_id", "target_author", "created_at"]


@admin.register(SafetyPhrase)
class SafetyPhraseAdmin(admin.ModelAdmin):
    """The safety net's phrases (see stepdown/moderation/safety.py): a change applies to the
    next post, message or journal note."""

    list_display = ["phrase", "kind", "active", "note"]
    list_filter = ["kind", "active"]
    list_editable = ["active"]
    search_fields = ["phrase", "note"]
