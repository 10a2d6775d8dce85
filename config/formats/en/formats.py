"""English dates as the pages have always shown them: "Sat 5 Dec 2026, 19:30"
(Django's English default is "Dec. 5, 2026, 7:30 p.m."). The staff pages'
scripts write their dates the same way (frontend/static/frontend/common/dates.js)."""

DATETIME_FORMAT = "D j M Y, H:i"
