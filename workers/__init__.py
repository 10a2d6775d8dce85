"""Background workers, and the one place they start.

`sweeper` runs the sweep job (expired holds released and announced) and,
on the same thread, the waiting rooms' admission ticks; `leadership` elects
one sweeper per PostgreSQL database; the webhook sender is the webhooks
app's `DeliveryWorker`. `running` starts them: inside the serving process
in the embedded default (`serve`), or each as a process of its own
(`run_sweeper`, `deliver_webhooks`). Nothing here starts on import or from
AppConfig.ready().
"""
