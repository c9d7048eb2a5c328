"""The register's records an improvement action may come from (no personal data)."""

from engagements.shell.hooks import ActionSource, register_action_source


def _message_label(message) -> str:
    parts = [message.get_kind_display()]
    if message.topic_id:
        parts.append(f"thème « {message.topic.name} »")
    return f"Message {message.reference} ({', '.join(parts)})"


def declare() -> None:
    register_action_source(
        "correspondence.message",
        ActionSource(
            "complaint",
            label=_message_label,
            site=lambda m: m.site,
            service=lambda m: m.service,
            title=lambda m: f"Répondre au motif : {m.topic.name}" if m.topic_id else "",
        ),
    )
    register_action_source(
        "correspondence.topic",
        ActionSource(
            "complaint",
            label=lambda t: f"Réclamations sur le thème « {t.name} »",
            site=lambda t: None,
            title=lambda t: f"Réduire les réclamations : {t.name}",
        ),
    )
