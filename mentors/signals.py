"""Keep CLM appointments in step with the CLM role, however the role was given or taken."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from trusts.models import Membership, Role

from . import services


@receiver(post_save, sender=Membership)
def start_appointment(sender, instance: Membership, created: bool, raw: bool = False, **kwargs):
    if created and not raw and instance.role == Role.CLM and instance.trust_id:
        services.appointment_start_for_new_clm(user=instance.user, trust=instance.trust)


@receiver(post_delete, sender=Membership)
def end_appointment(sender, instance: Membership, **kwargs):
    if instance.role == Role.CLM and instance.trust_id:
        services.appointment_close_for_removed_clm(user=instance.user, trust=instance.trust)
