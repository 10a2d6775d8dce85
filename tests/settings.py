"""The project's settings as the test suite runs them: config/settings.py
with a fast password hasher.

The suite makes and checks passwords by the hundred (staff users, logins,
each live server's admin), and PBKDF2's million iterations cost a third
of a second of CPU each. Django's own advice for tests is a fast hasher;
nothing here tests how passwords are stored. Servers the tests start get
this module too (devtools.processes passes the caller's settings module
on); the project and the benchmarks never use it.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
