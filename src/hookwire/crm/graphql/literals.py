"""A validation rule holding a document's literals to what JSON bodies are held to
(``hookwire.inputs``): finite numbers, and text both databases can store.

Variables arrive in the JSON body, which ``inputs.loads`` checks; this rule covers the values
written in the document itself (arguments, input objects, variable defaults), so that a
``1e400`` Float, a 400-digit Int or a ``"\\u0000"`` string is refused before anything runs.
"""

from __future__ import annotations

from typing import Any

from graphql import FloatValueNode, GraphQLError, IntValueNode, StringValueNode, ValidationRule

from hookwire.inputs import number_problem, text_problem


class StorableLiteralsRule(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        problem = text_problem(node.value)
        if problem is not None:
            self.report_error(GraphQLError(f"String value {problem}; it cannot be stored.", node))

    def _number(self, node: IntValueNode | FloatValueNode) -> None:
        problem = number_problem(float(node.value))
        if problem is not None:
            shown = node.value if len(node.value) <= 24 else f"{node.value[:20]}…"
            self.report_error(
                GraphQLError(f"Number {shown}: {problem}; it cannot be stored.", node)
            )

    def enter_int_value(self, node: IntValueNode, *_args: Any) -> None:
        self._number(node)

    def enter_float_value(self, node: FloatValueNode, *_args: Any) -> None:
        self._number(node)
