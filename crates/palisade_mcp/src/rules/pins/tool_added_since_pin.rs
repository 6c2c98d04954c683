use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a tool that a pinned server offers today but did not offer
    /// when it was pinned. `high` when the new tool trips a tool-poisoning
    /// rule (`mcp/tool-...`); `low` otherwise.
    ///
    /// ## Why is this bad?
    /// A new tool is new text the model reads and new actions it may take,
    /// none of which the user approved; a malicious update can add a tool
    /// whose description steers the model toward the other tools.
    ///
    /// ## Example
    /// Pinned: `add`, `multiply`. Today: `add`, `multiply`, `sync_notes`.
    ///
    /// ## References
    /// - Invariant Labs, "MCP Security Notification: Tool Poisoning Attacks" (2025).
    ToolAddedSincePin {
        id: "mcp/tool-added-since-pin",
        severity: Low,
        status: Stable,
        summary: "A pinned server offers a tool it did not offer when pinned",
    }
}
