"""Make sure a staff account named `admin` exists."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the staff user 'admin' (password from ADMIN_PASSWORD, or generated)."

    def handle(self, *args, **options) -> None:
        users = get_user_model()
        password = os.environ.get("ADMIN_PASSWORD", "")
        user = users.objects.filter(username="admin").first()
        if user is not None:
            changed = []
            if not (user.is_staff and user.is_superuser and user.is_active):
                user.is_staff = user.is_superuser = user.is_active = True
                changed += ["is_staff", "is_superuser", "is_active"]
            if password and not user.check_password(password):
                user.set_password(password)
                changed.append("password")
            if changed:
                user.save(update_fields=changed)
                self.stdout.write(f"Staff user 'admin' updated ({', '.join(changed)}).")
            return
        generated = not password
        password = password or secrets.token_urlsafe(12)
        users.objects.create_superuser("admin", "", password)
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Created staff user 'admin' with password: {password}\n"
                    "It is shown only this once; set ADMIN_PASSWORD to choose your own."
                )
            )
        else:
            self.stdout.write(
                "Created staff user 'admin' (password from ADMIN_PASSWORD)."
            )
