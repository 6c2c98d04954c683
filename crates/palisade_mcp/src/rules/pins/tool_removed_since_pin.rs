use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a tool that was pinned but that the server no longer offers.
    /// `low`: information for whoever reviews the change.
    ///
    /// ## Why is this bad?
    /// Rarely harmful by itself, but a server whose tool set moves is not
    /// the server that was approved; together with a changed or added tool
    /// it shows a tool being replaced.
    ///
    /// ## Example
    /// Pinned: `send_email`, `list_templates`. Today: `list_templates`.
    ///
    /// ## References
    /// - MCP specification, `tools/list`.
    ToolRemovedSincePin {
        id: "mcp/tool-removed-since-pin",
        severity: Low,
        status: Stable,
        summary: "A pinned tool is no longer offered by its server",
    }
}
