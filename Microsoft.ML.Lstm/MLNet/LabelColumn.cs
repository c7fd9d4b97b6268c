using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// A trainer's label column, checked against what the task needs, and how each row's label becomes
/// the network's training target (0/1, a class index, or a value).
/// </summary>
internal abstract class LabelColumn
{
    private protected LabelColumn(DataViewSchema.Column column, string setName)
    {
        Column = column;
        SetName = setName;
    }

    /// <summary>The column in the data set it was read from.</summary>
    public DataViewSchema.Column Column { get; }

    /// <summary>"training" or "validation", for messages.</summary>
    public string SetName { get; }

    /// <summary>Raw network outputs the task needs: 1, or one per class.</summary>
    public abstract int OutputSize { get; }

    /// <summary>
    /// A function that returns the target of the row <paramref name="row"/> is on, or throws naming the
    /// column and row when the label is missing or out of range.
    /// </summary>
    public abstract Func<float> CreateTargetGetter(DataViewRow row);

    /// <summary>Throws when a validation set's label cannot be scored by a network trained on <paramref name="training"/>'s.</summary>
    public virtual void CheckMatches(LabelColumn training)
    {
    }

    /// <summary>Finds column <paramref name="name"/> of <paramref name="schema"/> or throws naming it and the set.</summary>
    private protected static DataViewSchema.Column Find(DataViewSchema schema, string name, string setName, string expected)
    {
        DataViewSchema.Column? column = schema.GetColumnOrNull(name);
        if (column is null)
            throw new ArgumentOutOfRangeException(setName + "Data", $"The {setName} data has no label column '{name}'; expected {expected}.");
        return column.Value;
    }

    private protected ArgumentOutOfRangeException WrongType(string expected) =>
        new(SetName + "Data", $"The {SetName} data's label column '{Column.Name}' is {Column.Type}; expected {expected}.");

    private protected InvalidOperationException BadLabel(long row, string problem, string expected) =>
        new($"Column '{Column.Name}', row {row} of the {SetName} data: {problem}; expected {expected}.");
}
