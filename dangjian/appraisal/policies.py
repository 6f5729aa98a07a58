"""Democratic appraisal's rows of the one POLICY table (dangjian.core.policy). Filled in by the app."""
