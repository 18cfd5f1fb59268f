"""Re-encrypting stored secrets under the current CMS_SECRETS_KEY (key rotation)."""

from dataclasses import dataclass, field

from django.db import transaction

from content.secrets import secret_fields


@dataclass
class Rotation:
    resealed: int = 0
    # "<record> 的 <field> ..." of each secret no configured key decrypts (left as stored).
    unreadable: list = field(default_factory=list)


def rotate_secrets():
    """Re-encrypt every stored secret of every model under the current key; secrets no
    configured key opens stay as they are and are reported."""
    outcome = Rotation()
    by_model = {}
    for model, name in secret_fields():
        by_model.setdefault(model, []).append(name)
    for model, names in by_model.items():
        with transaction.atomic():
            # The rows are locked while they are rewritten: a secret set meanwhile waits
            # and is not overwritten with the value read before it.
            rows = model._base_manager.select_for_update().only("pk", *names).order_by("pk")
            for row in rows:
                changed = {}
                for name in names:
                    secret = getattr(row, name)
                    if not secret.readable:
                        try:
                            secret.reveal()
                        except ValueError as exc:
                            outcome.unreadable.append(str(exc))
                    elif secret:
                        changed[name] = secret
                if changed:
                    # update() skips save signals: the values are the same, only their encryption changes.
                    model._base_manager.filter(pk=row.pk).update(**changed)
                    outcome.resealed += len(changed)
    return outcome
