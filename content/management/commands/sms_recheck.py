"""List the SMS templates an SMS account's rules break, or would break:

    python manage.py sms_recheck sms-sx                       # the rules as saved
    python manage.py sms_recheck sms-sx --signature 【山西移动】 --max-segments 2   # before changing them

Nothing is saved. One line per problem: template code, owning organisation, problem."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from content.models import ChannelAccount
from content.services.sms_recheck import broken_templates


class Command(BaseCommand):
    help = "List the SMS templates an SMS account's signature, opt-out text and segment limit break."

    def add_arguments(self, parser):
        parser.add_argument("account", help="SMS account code")
        parser.add_argument(
            "--signature", help="try this signature instead of the saved one"
        )
        parser.add_argument(
            "--opt-out-text", dest="opt_out_text", help="try this opt-out text"
        )
        parser.add_argument(
            "--max-segments",
            dest="max_segments",
            type=int,
            help="try this segment limit",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="exit with status 1 when any template breaks",
        )

    def handle(self, *args, account, check=False, **options):
        record = ChannelAccount.objects.filter(code=account).first()
        if record is None:
            raise CommandError(f"{account}: account: no channel account with this code")
        if record.type != ChannelAccount.Type.SMS:
            raise CommandError(f"{account}: type: not an SMS account ({record.type})")
        for name in ("signature", "opt_out_text", "max_segments"):
            if options.get(name) is not None:
                setattr(record, name, options[name])
        try:
            record.clean_fields(
                exclude=[
                    f.name
                    for f in record._meta.fields
                    if f.name not in ("signature", "opt_out_text", "max_segments")
                ]
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {', '.join(m)}" for field, m in exc.message_dict.items()
            )
            raise CommandError(f"{account}: {problems}")
        broken = broken_templates(record)
        for item in broken:
            for problem in item.problems:
                self.stdout.write(
                    f"{item.template.code}\t{item.template.organisation.code}\t{problem}"
                )
        self.stdout.write(f"{len(broken)} template(s) of {record.code} break its rules")
        if check and broken:
            raise CommandError(
                f"{len(broken)} template(s) break the rules of {record.code}"
            )
