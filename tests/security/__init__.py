"""Hostile conditions: an attacker's input and an operator's bad day.

Each failure the attack on a fresh copy found (issue "Hostile conditions,
round two") is reproduced by a test that fails on the code it was found in:

1. every PostgreSQL backend terminated: tests/faults/test_terminated_connections.py
2. a forged X-Forwarded-For behind the shipped nginx: test_forwarded_for.py
3. a request head trickled one byte at a time: tests/realtime/test_slow_client.py
4. deep JSON on the waiting-room socket: test_hostile_socket_frames.py
5. large, deep or odd bodies on the REST API: tests/api/test_body_limits.py,
   tests/api/test_hostile_bodies.py, and any body past the server's bound:
   test_body_bound.py
6. lone surrogates in staff fields: test_hostile_staff_bodies.py
7. a waiting room opening at the calendar's ends: tests/seats/test_waiting_room.py,
   tests/seats/test_bad_openings.py
8. plans with NUL, lone surrogates or a million-point polygon:
   tests/plans/test_limits.py
9. formulas in bookings.csv: tests/api/test_staff_endpoints.py
10. webhook endpoints inside the network: tests/webhooks/test_destinations.py
11. a hold token in the proxy's log: tests/hosts/test_hosts.py,
    tests/test_logformat.py
12. many sessions, many queue places: tests/seats/test_waiting_room_clients.py,
    tests/realtime/test_waiting_room_socket.py

and the earlier notes: deadlocks (tests/seats/test_locking.py), holds of a
killed worker's sockets (tests/faults/test_dead_worker_holds.py), two
requests stranding a seat together (tests/seats/test_concurrency.py), the
REST rate limit across workers (tests/api/test_shared_rate_limit.py).
"""
