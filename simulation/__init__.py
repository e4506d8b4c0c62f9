"""OPS-1: the marketplace simulator (``manage.py simulate``), the top of the app graph: it drives every app.

Simulated merchants, customers and staff drive the real services (merchants, catalog, orders, payments,
after-sales) through simulated days while a frozen clock (time-machine) is moved tick by tick and the
deadline sweeper runs after every tick, as the beat would. At the end named checks prove that the
time-driven rules held and that no money was lost (``simulation.checks``).

Modules: ``config`` (sizes and behaviour shares), ``setup`` (the population, created through the
onboarding and listing services), ``base`` (the run's state, clock and tally), the actors' behaviour by
domain (``listings``, ``trade``, ``delivery``, ``reviews``, ``escalations``), ``engine`` (the tick loop),
``checks`` (the end-of-run checks), ``report`` (figures, JSON and the stdout table), ``html`` (the report
page). Import from the module (``simulation.engine.simulation_run``): this package is also a Django app,
loaded before the models, so its ``__init__`` imports nothing.
"""
