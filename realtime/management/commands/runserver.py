"""`manage.py runserver` is daphne's, WebSockets included, as with daphne's app.

daphne's app is not installed (its import of the server costs every process
0.3 s: config/settings.py); this app comes first and lends its command.
`make run` serves with `serve` instead, which a production worker runs too.
"""

from daphne.management.commands.runserver import Command as DaphneRunserver


class Command(DaphneRunserver):
    pass
