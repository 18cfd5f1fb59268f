"""Re-encrypt every stored secret under the current CMS_SECRETS_KEY:

    CMS_SECRETS_KEY=<new> CMS_SECRETS_KEY_FALLBACKS=<old> python manage.py rotate_secrets

Afterwards the old key can leave CMS_SECRETS_KEY_FALLBACKS (docs/operations.md).
Secrets that no configured key decrypts are left as stored and listed; the command
then exits with an error. Values are never printed."""

from django.core.management.base import BaseCommand, CommandError

from callback.table import rebuild_all
from content.services.secret_keys import rotate_secrets


class Command(BaseCommand):
    help = "Re-encrypt every stored secret (channel accounts, webhooks, tokens) under the current CMS_SECRETS_KEY."

    def handle(self, *args, **options):
        outcome = rotate_secrets()
        # The callback's cached tables carry the secrets too: seal them under the new key.
        rebuild_all()
        self.stdout.write(f"{outcome.resealed} secrets re-encrypted under the current CMS_SECRETS_KEY")
        if outcome.unreadable:
            for line in outcome.unreadable:
                self.stderr.write(line)
            raise CommandError(
                f"{len(outcome.unreadable)} secrets could not be decrypted with any configured key and were left as stored"
            )
