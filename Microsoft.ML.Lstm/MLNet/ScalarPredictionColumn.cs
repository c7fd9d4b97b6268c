using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>A prediction column of one value per row, computed from the row's predictions (e.g. σ of the logit).</summary>
/// <typeparam name="T">The column's raw type: <see cref="float"/>, <see cref="bool"/>, or <see cref="uint"/> for a key.</typeparam>
internal sealed class ScalarPredictionColumn<T> : PredictionColumn
{
    private readonly Func<ReadOnlySpan<float>, T> value;

    /// <summary>A column <paramref name="name"/> of <paramref name="type"/> whose value is <paramref name="value"/> of the row's predictions.</summary>
    public ScalarPredictionColumn(string name, PrimitiveDataViewType type, Func<ReadOnlySpan<float>, T> value, PredictionRole? role = null, IReadOnlyList<string>? classNames = null)
        : base(name, type, role, classNames)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (type.RawType != typeof(T))
            throw new ArgumentException($"Column '{name}' is {type}, whose values are {type.RawType.Name}, not {typeof(T).Name}.", nameof(type));
        this.value = value;
    }

    /// <inheritdoc/>
    public override Delegate CreateGetter(IRowPredictions predictions)
    {
        ValueGetter<T> getter = (ref T destination) => destination = value(predictions.Current);
        return getter;
    }
}
