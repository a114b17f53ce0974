from django.core.management.base import BaseCommand

from trusts.reference import trusts_load


class Command(BaseCommand):
    help = "Add the region's Trusts and sites from trusts/data/ (only what is missing)."

    def handle(self, *args, **options):
        trusts, sites = trusts_load()
        self.stdout.write(f"Trusts added: {trusts}; sites added: {sites}.")
