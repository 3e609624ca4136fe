"""The read side for the 督查室, leaders and units: problem lists, details, notices, meeting items and
the bi-weekly dispatch lists (双周调度). Reads change nothing: they run on the route's connection, or
(views.ProblemViews, a command's answer) in the command's own unit of work."""
