using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Model.OnnxConverter;

namespace Microsoft.ML.Lstm.MLNetInternals;

/// <summary>
/// The ONNX graph ML.NET's converter is building (<c>OnnxContext</c>, internal to ML.NET), as the network exporter
/// writes into it (<see cref="IOnnxGraph"/>), plus the one thing only a transformer does: binding its output columns.
/// </summary>
/// <remarks>
/// Every variable ML.NET's context names is also entered in its map of column names (that is how it finds the
/// variable of a column); intermediate values are added without a shape ("skip"), so ONNX Runtime infers them.
/// </remarks>
internal sealed class OnnxContextGraph : IOnnxGraph
{
    private readonly OnnxContext ctx;

    /// <summary>Writes into <paramref name="ctx"/>.</summary>
    public OnnxContextGraph(OnnxContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        this.ctx = ctx;
    }

    /// <summary>Whether the graph so far has a variable for column <paramref name="columnName"/>.</summary>
    public bool HasColumn(string columnName) => ctx.ContainsColumn(columnName);

    /// <summary>The variable that holds column <paramref name="columnName"/> at this point of the pipeline.</summary>
    public string ColumnVariable(string columnName) => ctx.GetVariableName(columnName);

    /// <summary>Makes <paramref name="source"/> the value of the output column <paramref name="columnName"/> (the graph output ML.NET then adds reads it).</summary>
    public void BindColumn(string columnName, DataViewType type, string source)
    {
        string variable = ctx.AddIntermediateVariable(type, columnName, skip: true);
        ctx.CreateNode("Identity", source, variable, ctx.GetNodeName("Identity"), "");
    }

    /// <inheritdoc />
    public string Constant(string name, ReadOnlySpan<float> values, params long[] dims) => dims.Length == 0
        ? ctx.AddInitializer(values[0], name)
        : ctx.AddInitializer(values.ToArray(), dims, name);

    /// <inheritdoc />
    public string Constant(string name, ReadOnlySpan<long> values, params long[] dims) => dims.Length == 0
        ? ctx.AddInitializer(values[0], name)
        : ctx.AddInitializer(values.ToArray(), dims, name);

    /// <inheritdoc />
    public string Node(string op, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Node(op, inputs, [op], attributes)[0];

    /// <inheritdoc />
    public string Node(string op, string domain, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Node(op, domain, inputs, [op], attributes)[0];

    /// <inheritdoc />
    public string[] Node(string op, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params OnnxAttribute[] attributes) =>
        Node(op, "", inputs, outputs, attributes);

    private string[] Node(string op, string domain, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, OnnxAttribute[] attributes)
    {
        string[] names = new string[outputs.Count];
        for (int i = 0; i < names.Length; i++)
            names[i] = outputs[i].Length == 0 ? "" : ctx.AddIntermediateVariable(null, outputs[i], skip: true);
        OnnxNode node = ctx.CreateNode(op, inputs, names, ctx.GetNodeName(op), domain);
        foreach (OnnxAttribute attribute in attributes)
        {
            switch (attribute.Value)
            {
                case long value:
                    node.AddAttribute(attribute.Name, value);
                    break;
                case float value:
                    node.AddAttribute(attribute.Name, (double)value);
                    break;
                case string value:
                    node.AddAttribute(attribute.Name, value);
                    break;
                case long[] values:
                    node.AddAttribute(attribute.Name, (IEnumerable<long>)values);
                    break;
                case string[] values:
                    node.AddAttribute(attribute.Name, (IEnumerable<string>)values);
                    break;
                default:
                    throw new ArgumentException($"The attribute '{attribute.Name}' of {op} holds a {attribute.Value?.GetType().Name ?? "null"}; expected long, float, string, long[] or string[].", nameof(attributes));
            }
        }
        return names;
    }
}
