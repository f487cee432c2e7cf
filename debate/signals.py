"""Keep derived fields right when fixtures load.

``loaddata`` saves with ``raw=True`` through ``Model.save_base``, bypassing our ``save()``
overrides, so the HTML, links and thread roots they compute would be missing for the seed.
"""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Debate, Post, Proposition, Stance

DERIVED = {
    Debate: ["summary_html"],
    Post: ["text_html", "links", "thread_root_id"],
    Proposition: ["description_html"],
    Stance: ["rationale_html"],
}


@receiver(post_save)
def refresh_derived_after_raw_save(sender: type, instance: Any, raw: bool, **kwargs: Any) -> None:
    fields = DERIVED.get(sender)
    if not raw or fields is None:
        return
    instance.refresh_derived()
    if sender is Post and instance.thread_root_id is None:
        instance.thread_root_id = instance.pk
    values = {field: getattr(instance, field) for field in fields}
    sender._default_manager.filter(pk=instance.pk).update(**values)
