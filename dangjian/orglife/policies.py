"""This app's rows of the one POLICY table (dangjian.core.policy) and its scoped resources."""
from dangjian.core.policy import extend

extend({})
