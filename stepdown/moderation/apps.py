from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "stepdown.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        # The reports a member filed are part of their export; deletion keeps them, unsigned.
        from stepdown.core import audit_hook
        from stepdown.core.personal_data import register

        from . import audit
        from .personal_data import provider

        register(provider)
        # The forum's own moderator paths (edits, recommendations, reverts) write to the log.
        audit_hook.register(audit.record)
        self._connect_safety_net()

    def _connect_safety_net(self) -> None:
        # The safety net (core.safety) reads the admins' phrases and alerts the moderators
        # through us; a saved or deleted phrase clears the cached list (cache invalidation).
        from django.db.models.signals import post_delete, post_save

        from stepdown.core import safety as safety_net

        from . import safety
        from .models import SafetyPhrase

        safety_net.register_phrase_source(safety.active_phrases)
        safety_net.register_alert_handler(safety.raise_alert)
        post_save.connect(safety.forget_phrases, sender=SafetyPhrase, dispatch_uid="phrase-saved")
        post_delete.connect(
            safety.forget_phrases, sender=SafetyPhrase, dispatch_uid="phrase-deleted"
        )
