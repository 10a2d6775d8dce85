"""What a ticket's QR code says, and the code drawn as SVG (segno).

The code names the booking and the seat: `<reference>/<seat id>`, e.g.
`BK-CA4TGJCQ/17`. The reference alone would make every ticket of a
booking the same, so the door could not tell one seat's ticket, or a
copy of it, from another's; the seat's id (not its label, which a plan
may spell with any character) keeps each ticket distinct.
"""

from __future__ import annotations

import segno


def ticket_code(reference: str, seat_id: int) -> str:
    return f"{reference}/{seat_id}"


def qr_svg(text: str) -> str:
    """An inline <svg> of `text` as a QR code, sized by CSS (no width or
    height of its own), with the standard quiet zone of four modules."""
    # Error level M survives a crease or a smudge on a printed ticket;
    # segno would raise it further if the symbol had room (boost_error).
    code = segno.make(text, error="m", micro=False)
    return code.svg_inline(
        scale=1, border=4, omitsize=True, svgclass="ticket-qr", title=text
    )
