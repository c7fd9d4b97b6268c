using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// All trainable parameters of a network in one flat buffer, with a gradient buffer of the same shape.
/// Layers register named views at construction and read their slices through them, so the optimizer,
/// gradient clipping and the serializer each see one array.
/// </summary>
internal sealed class ParameterStore<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<ParameterView> views = new();
    private readonly HashSet<ParameterView> frozen = new();
    private T[] values = Array.Empty<T>();
    private T[] gradients = Array.Empty<T>();

    /// <summary>Every parameter value, view after view.</summary>
    public T[] Values => values;

    /// <summary>Gradient of the loss with respect to each value; layers accumulate into it during backward.</summary>
    public T[] Gradients => gradients;

    /// <summary>Total number of scalar parameters.</summary>
    public int Count => values.Length;

    /// <summary>The registered views, in registration order.</summary>
    public IReadOnlyList<ParameterView> Views => views;

    /// <summary>Registers a parameter of the given shape, initialised to zero, and returns its view.</summary>
    public ParameterView Add(string name, params int[] shape)
    {
        if (views.Exists(v => v.Name == name))
            throw new ArgumentException($"A parameter named '{name}' already exists.", nameof(name));
        int length = 1;
        foreach (int dimension in shape)
        {
            if (dimension <= 0)
                throw new ArgumentOutOfRangeException(nameof(shape), $"Parameter '{name}' has a non-positive dimension {dimension}.");
            length = checked(length * dimension);
        }
        var view = new ParameterView(name, values.Length, length, (int[])shape.Clone());
        Array.Resize(ref values, values.Length + length);
        Array.Resize(ref gradients, gradients.Length + length);
        views.Add(view);
        return view;
    }

    /// <summary>
    /// Counts changes to <see cref="Values"/>: whoever writes values after the first forward pass (the
    /// trainer after each optimizer step, a loader) calls <see cref="MarkChanged"/>, so caches derived from the
    /// weights, such as packed recurrent matrices, know to rebuild.
    /// </summary>
    public int Version { get; private set; }

    /// <summary>Records that <see cref="Values"/> changed.</summary>
    public void MarkChanged() => Version++;

    /// <summary>Parameters that training must leave as they are (e.g. frozen pretrained embeddings).</summary>
    public IReadOnlyCollection<ParameterView> FrozenViews => frozen;

    /// <summary>Freezes or unfreezes one parameter.</summary>
    public void SetFrozen(ParameterView view, bool isFrozen)
    {
        if (isFrozen)
            frozen.Add(view);
        else
            frozen.Remove(view);
    }

    /// <summary>The values of one parameter.</summary>
    public Span<T> Value(ParameterView view) => values.AsSpan(view.Offset, view.Length);

    /// <summary>The gradient of one parameter.</summary>
    public Span<T> Gradient(ParameterView view) => gradients.AsSpan(view.Offset, view.Length);

    /// <summary>Sets every gradient to zero, before a new batch accumulates into them.</summary>
    public void ZeroGradients() => Array.Clear(gradients);

    /// <summary>Finds a view by name.</summary>
    public ParameterView Find(string name) =>
        views.Find(v => v.Name == name) ?? throw new KeyNotFoundException($"No parameter named '{name}'.");
}

/// <summary>A named slice of a <see cref="ParameterStore{T}"/>: offset, length and shape (row-major).</summary>
internal sealed record ParameterView(string Name, int Offset, int Length, int[] Shape);
