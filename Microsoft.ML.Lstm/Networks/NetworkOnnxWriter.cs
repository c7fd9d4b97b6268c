namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Writes a trained <see cref="SequenceNetwork{T}"/> of float as ONNX operators into an <see cref="IOnnxGraph"/>: the
/// embedding as <c>Gather</c>, each recurrent layer as one ONNX <c>LSTM</c> or <c>GRU</c> node over the whole batch
/// (forward or bidirectional, variable lengths through <c>sequence_lens</c>), the merge of the two directions, the
/// pooling over each sequence's own steps, and the dense layer of the head. Needs opset <see cref="MinimumOpset"/>.
/// </summary>
/// <remarks>
/// <para>Tensors are step-major as ONNX's recurrent operators want them: per-step values [L, N, ·] for a batch of N
/// sequences padded to L steps, with each sequence's length (int32 [N]) and a step mask (bool [L, N, 1], true on a
/// sequence's own steps). The operators compute what the package computes, term for term:</para>
/// <list type="bullet">
/// <item>LSTM: PyTorch's gate blocks i, f, g, o become ONNX's i, o, f, c; the one bias is ONNX's W-bias and its
/// R-bias is zero. The peephole LSTM's p_i, p_f, p_o become the operator's <c>P</c> = [p_i, p_o, p_f] (ONNX's
/// peepholes are the same Gers &amp; Schmidhuber ones: input and forget gates on c_{t−1}, the output gate on c_t).</item>
/// <item>GRU: r, z, n become ONNX's z, r, h, with <c>linear_before_reset = 1</c> (the reset gate applied after the
/// recurrent product, b_hn inside it: PyTorch's and the package's GRU).</item>
/// <item>A backward direction reads each sequence from its own last step (ONNX's <c>sequence_lens</c> semantics), as
/// the package's reversed packed rows do.</item>
/// </list>
/// <para>Dropout (between layers, before the head) is the identity when scoring, so nothing is written for it.</para>
/// </remarks>
internal sealed class NetworkOnnxWriter
{
    /// <summary>The lowest opset every operator written here exists in with the form used (<c>Slice</c> with its bounds as inputs).</summary>
    public const int MinimumOpset = 10;

    private static readonly int[] LstmGateOrder = [0, 3, 1, 2]; // i, f, g, o → i, o, f, c
    private static readonly int[] GruGateOrder = [1, 0, 2];     // r, z, n → z, r, h
    private static readonly int[] PeepholeOrder = [0, 2, 1];    // p_i, p_f, p_o → P's i, o, f

    private readonly SequenceNetwork<float> network;
    private readonly IOnnxGraph graph;
    private readonly string prefix;

    /// <summary>A writer of <paramref name="network"/> into <paramref name="graph"/>, naming what it adds from <paramref name="prefix"/>.</summary>
    /// <exception cref="NotSupportedException">A part of the network has no ONNX form (<see cref="CheckExportable"/>).</exception>
    public NetworkOnnxWriter(SequenceNetwork<float> network, IOnnxGraph graph, string prefix)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(graph);
        CheckExportable(network.Spec);
        this.network = network;
        this.graph = graph;
        this.prefix = prefix;
    }

    /// <summary>Throws, naming the part, when ONNX cannot express something of <paramref name="spec"/>.</summary>
    /// <exception cref="NotSupportedException">The network holds a part with no ONNX form.</exception>
    public static void CheckExportable(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        EncoderSpec encoder = spec.Encoder;
        if (encoder.ReadsCharacters)
        {
            throw new NotSupportedException(
                "The character encoder (a BiLSTM over each token's characters, read from the tokens' text) cannot be exported to ONNX: " +
                "ONNX has no operator that splits a string into the character ids the encoder reads. Train without characters (no CharacterColumnName) to export the model.");
        }
        if (encoder.ExtraFeaturesPerStep > 0)
        {
            throw new NotSupportedException(
                $"The second per-step input ({encoder.ExtraFeaturesPerStep} values per step: word shapes or covariates) cannot be exported to ONNX: " +
                "ML.NET's converter gives the exported network only its one feature column.");
        }
        switch (spec.Head)
        {
            case PooledHeadSpec or StepSoftmaxHeadSpec or PooledFeaturesHeadSpec:
                return;
            case CrfHeadSpec:
                throw new NotSupportedException(
                    "The tagger's CRF head cannot be exported to ONNX: its Viterbi decoding and its per-step marginals are loops over the steps " +
                    "whose length is known only when scoring, and ML.NET's ONNX converter cannot write the loop's body (an ONNX subgraph). " +
                    "Train the tagger with the per-step softmax (UseCrf = false) to export it, or score the CRF with the package.");
            default:
                throw new NotSupportedException($"The network's head ({spec.Head.GetType().Name}) has no ONNX export.");
        }
    }

    /// <summary>Token ids (int64 [N, L], each in [0, V)) through the embedding: step-major vectors [L, N, E].</summary>
    public string Embed(string tokenIds)
    {
        EmbeddingLayer<float> embedding = network.Embedding ?? throw new InvalidOperationException("The network reads numeric steps, not tokens.");
        string table = graph.Constant(prefix + "embedding", embedding.Vectors, embedding.VocabularySize, embedding.Dimension);
        string vectors = graph.Node("Gather", [table, tokenIds], OnnxAttribute.Int("axis", 0));
        return StepMajor(vectors);
    }

    /// <summary>Batch-major steps [N, L, F] as the recurrent operators read them: [L, N, F].</summary>
    public string StepMajor(string batchMajor) => graph.Node("Transpose", [batchMajor], OnnxAttribute.Ints("perm", 1, 0, 2));

    /// <summary>
    /// Runs the recurrent stack over <paramref name="input"/> [L, N, I] of sequences of <paramref name="lengths"/> (int32 [N]):
    /// the last layer's per-step features [L, N, D] and, where the pooling can use them, its final states.
    /// </summary>
    public EncodedSteps Encode(string input, string lengths)
    {
        EncoderSpec spec = network.Spec.Encoder;
        RecurrentStack<float> stack = network.Encoder.Stack;
        string steps = input;
        string? finalHidden = null;
        for (int k = 0; k < stack.Layers.Count; k++)
        {
            string[] outputs = RecurrentNode(k, stack.Layers[k], steps, lengths);
            (steps, finalHidden) = Merge(outputs[0], outputs[1], spec);
        }
        return new EncodedSteps(steps, finalHidden);
    }

    /// <summary>
    /// The pooled head: each sequence's steps pooled over its own length (<see cref="Pool"/>), then the dense layer:
    /// [N, K] raw outputs (logits or values), as <see cref="PooledDenseHead{T}.Predict"/> writes them.
    /// </summary>
    /// <param name="encoded">The encoder's outputs.</param>
    /// <param name="stepMask">bool [L, N, 1]: true on each sequence's own steps.</param>
    /// <param name="lengths">int32 [N].</param>
    public string PooledHead(EncodedSteps encoded, string stepMask, string lengths) =>
        Dense(Pool(encoded, stepMask, lengths, ((PooledHeadSpec)network.Spec.Head).Pooling), "head.dense", transposeInput: false);

    /// <summary>
    /// Each sequence's steps pooled over its own length into one vector [N, D] (what a featurizer outputs, and what the
    /// pooled head's dense layer reads). Attention reads the pooled head's attention weights.
    /// </summary>
    public string Pool(EncodedSteps encoded, string stepMask, string lengths, PoolingMode pooling) => pooling switch
    {
        PoolingMode.LastState => encoded.FinalHidden ?? LastStep(encoded.Steps, stepMask),
        PoolingMode.Mean => MeanPool(encoded.Steps, stepMask, lengths),
        PoolingMode.Max => graph.Node("ReduceMax", [Masked(encoded.Steps, stepMask, float.NegativeInfinity)], Axes(0), KeepDims(false)),
        PoolingMode.Attention => AttentionPool(encoded.Steps, stepMask),
        _ => throw new NotSupportedException($"The pooling {pooling} has no ONNX export."),
    };

    /// <summary>
    /// The featurizing head's vector [N, D·M]: each sequence's steps pooled by each of its modes (<see cref="Pool"/>),
    /// concatenated in the head's order, as <see cref="PooledFeaturesHead{T}.Predict"/> writes them.
    /// </summary>
    /// <param name="encoded">The encoder's outputs.</param>
    /// <param name="stepMask">bool [L, N, 1]: true on each sequence's own steps.</param>
    /// <param name="lengths">int32 [N].</param>
    public string PooledFeatures(EncodedSteps encoded, string stepMask, string lengths)
    {
        PoolingMode[] modes = ((PooledFeaturesHeadSpec)network.Spec.Head).Modes;
        string[] pooled = Array.ConvertAll(modes, mode => Pool(encoded, stepMask, lengths, mode));
        return pooled.Length == 1 ? pooled[0] : graph.Node("Concat", pooled, OnnxAttribute.Int("axis", 1));
    }

    /// <summary>The per-step softmax head's logits [N, L, K] (batch-major), as <see cref="StepSoftmaxHead{T}.Predict"/> writes them per step.</summary>
    public string StepHead(EncodedSteps encoded)
    {
        string batchMajor = graph.Node("Transpose", [encoded.Steps], OnnxAttribute.Ints("perm", 1, 0, 2));
        return Dense(batchMajor, "head.dense", transposeInput: true);
    }

    /// <summary>One ONNX LSTM or GRU node for layer <paramref name="k"/> (one or both directions): outputs Y [L, dirs, N, H] and Y_h [dirs, N, H].</summary>
    private string[] RecurrentNode(int k, IRecurrentLayer<float> layer, string input, string lengths)
    {
        CellType cell = network.Spec.Encoder.Cell;
        RecurrentLayer<float>[] directions = layer is BidirectionalLayer<float> both
            ? [(RecurrentLayer<float>)both.ForwardLayer, (RecurrentLayer<float>)both.BackwardLayer]
            : [(RecurrentLayer<float>)layer];
        string[] names = directions.Length == 2 ? [$"rnn.l{k}", $"rnn.l{k}_reverse"] : [$"rnn.l{k}"];
        int h = layer.HiddenSize, inputSize = layer.InputSize, gates = cell == CellType.Gru ? 3 : 4;
        int[] order = cell == CellType.Gru ? GruGateOrder : LstmGateOrder;
        int dirs = directions.Length;
        var w = new float[dirs * gates * h * inputSize];
        var r = new float[dirs * gates * h * h];
        var b = new float[dirs * 2 * gates * h];
        float[]? p = cell == CellType.PeepholeLstm ? new float[dirs * 3 * h] : null;
        for (int d = 0; d < dirs; d++)
        {
            string name = names[d];
            Reorder(Value(name + ".weight_ih"), order, h * inputSize, w.AsSpan(d * gates * h * inputSize, gates * h * inputSize));
            Reorder(Value(name + ".weight_hh"), order, h * h, r.AsSpan(d * gates * h * h, gates * h * h));
            Span<float> bias = b.AsSpan(d * 2 * gates * h, 2 * gates * h);
            if (cell == CellType.Gru)
            {
                Reorder(Value(name + ".bias_ih"), order, h, bias.Slice(0, gates * h));
                Reorder(Value(name + ".bias_hh"), order, h, bias.Slice(gates * h, gates * h));
            }
            else
            {
                Reorder(Value(name + ".bias"), order, h, bias.Slice(0, gates * h)); // R-bias stays zero
            }
            if (p is not null)
                Reorder(Value(name + ".weight_peephole"), PeepholeOrder, h, p.AsSpan(d * 3 * h, 3 * h));
        }
        string layerName = prefix + $"rnn.l{k}";
        var inputs = new List<string>
        {
            input,
            graph.Constant(layerName + ".W", w, dirs, gates * h, inputSize),
            graph.Constant(layerName + ".R", r, dirs, gates * h, h),
            graph.Constant(layerName + ".B", b, dirs, 2 * gates * h),
            lengths,
        };
        if (p is not null)
            inputs.AddRange(["", "", graph.Constant(layerName + ".P", p, dirs, 3 * h)]); // no initial_h, initial_c: zero states
        var attributes = new List<OnnxAttribute>
        {
            OnnxAttribute.Int("hidden_size", h),
            OnnxAttribute.String("direction", dirs == 2 ? "bidirectional" : "forward"),
        };
        if (cell == CellType.Gru)
            attributes.Add(OnnxAttribute.Int("linear_before_reset", 1));
        return graph.Node(cell == CellType.Gru ? "GRU" : "LSTM", inputs, [layerName + ".Y", layerName + ".Y_h"], [.. attributes]);
    }

    /// <summary>
    /// Y [L, dirs, N, H] as the next layer reads it [L, N, D], with the directions merged as the package merges them;
    /// and Y_h as the pooled final state [N, D] where that is exactly the last-state pooling (one direction, or two concatenated).
    /// </summary>
    private (string Steps, string? FinalHidden) Merge(string y, string yh, EncoderSpec spec)
    {
        if (!spec.Bidirectional)
        {
            return (graph.Node("Squeeze", [y], Axes(1)), graph.Node("Squeeze", [yh], Axes(0)));
        }
        switch (spec.Merge)
        {
            case MergeMode.Concat:
                // [L, 2, N, H] → [L, N, 2, H] → [L, N, 2H] = [forward | backward] per step; Y_h likewise per sequence.
                string steps = graph.Node("Reshape", [graph.Node("Transpose", [y], OnnxAttribute.Ints("perm", 0, 2, 1, 3)), Shape(0, 0, -1)]);
                string final = graph.Node("Reshape", [graph.Node("Transpose", [yh], OnnxAttribute.Ints("perm", 1, 0, 2)), Shape(0, -1)]);
                return (steps, final);
            case MergeMode.Sum:
                return (graph.Node("ReduceSum", [y], Axes(1), KeepDims(false)), null);
            default:
                // (forward + backward) · 0.5, as the package computes the mean.
                string sum = graph.Node("ReduceSum", [y], Axes(1), KeepDims(false));
                return (graph.Node("Mul", [sum, graph.Constant(prefix + "half", [0.5f])]), null);
        }
    }

    /// <summary>Each sequence's features at its last step [N, D]: the step whose next step is not its own (the mask is a prefix per sequence).</summary>
    private string LastStep(string steps, string stepMask)
    {
        string mask = graph.Node("Cast", [stepMask], To(OnnxElementType.Float));                                            // [L, N, 1]
        string zero = graph.Node("Mul", [graph.Node("Slice", [mask, Longs(0), Longs(1), Longs(0)]), graph.Constant(prefix + "zero", [0f])]); // [1, N, 1]
        string next = graph.Node("Concat", [graph.Node("Slice", [mask, Longs(1), Longs(long.MaxValue), Longs(0)]), zero], OnnxAttribute.Int("axis", 0));
        string isLast = graph.Node("Cast", [graph.Node("Sub", [mask, next])], To(OnnxElementType.Bool));
        return graph.Node("ReduceSum", [Masked(steps, isLast, 0f)], Axes(0), KeepDims(false));
    }

    /// <summary>(1 / length) · Σ over each sequence's own steps [N, D].</summary>
    private string MeanPool(string steps, string stepMask, string lengths)
    {
        string sum = graph.Node("ReduceSum", [Masked(steps, stepMask, 0f)], Axes(0), KeepDims(false));
        string reciprocal = graph.Node("Reciprocal", [graph.Node("Cast", [lengths], To(OnnxElementType.Float))]);
        return graph.Node("Mul", [sum, graph.Node("Unsqueeze", [reciprocal], Axes(1))]);
    }

    /// <summary>u_t = tanh(W h_t + b), e_t = vᵀu_t, α = softmax over each sequence's own steps, Σ α_t h_t [N, D].</summary>
    private string AttentionPool(string steps, string stepMask)
    {
        int d = network.Encoder.OutputSize;
        string weightT = graph.Constant(prefix + "head.pooling.weightT", Transposed(Value("head.pooling.weight"), d, d), d, d);
        string u = graph.Node("Tanh", [graph.Node("Add", [graph.Node("MatMul", [steps, weightT]), graph.Constant(prefix + "head.pooling.bias", Value("head.pooling.bias"), d)])]);
        string scores = graph.Node("MatMul", [u, graph.Constant(prefix + "head.pooling.vector", Value("head.pooling.vector"), d, 1)]); // [L, N, 1]
        string masked = Masked(scores, stepMask, float.NegativeInfinity);
        string shifted = graph.Node("Sub", [masked, graph.Node("ReduceMax", [masked], Axes(0), KeepDims(true))]);
        string exp = graph.Node("Exp", [shifted]);
        string alpha = graph.Node("Div", [exp, graph.Node("ReduceSum", [exp], Axes(0), KeepDims(true))]);
        return graph.Node("ReduceSum", [graph.Node("Mul", [steps, alpha])], Axes(0), KeepDims(false));
    }

    /// <summary>x · Wᵀ + b for the dense layer <paramref name="name"/>; over the last axis of a 3-D input when <paramref name="transposeInput"/> is set, else a 2-D Gemm.</summary>
    private string Dense(string input, string name, bool transposeInput)
    {
        float[] weight = Value(name + ".weight").ToArray();
        float[] bias = Value(name + ".bias").ToArray();
        int outputs = bias.Length, inputs = weight.Length / outputs;
        if (!transposeInput)
        {
            return graph.Node("Gemm", [input, graph.Constant(prefix + name + ".weight", weight, outputs, inputs), graph.Constant(prefix + name + ".bias", bias, outputs)],
                OnnxAttribute.Int("transB", 1));
        }
        string product = graph.Node("MatMul", [input, graph.Constant(prefix + name + ".weightT", Transposed(weight, outputs, inputs), inputs, outputs)]);
        return graph.Node("Add", [product, graph.Constant(prefix + name + ".bias", bias, outputs)]);
    }

    /// <summary><paramref name="values"/> where <paramref name="mask"/> holds, <paramref name="fill"/> elsewhere (padding never reaches a sum or a maximum).</summary>
    private string Masked(string values, string mask, float fill) =>
        graph.Node("Where", [mask, values, graph.Constant(prefix + "fill", [fill])]);

    private ReadOnlySpan<float> Value(string name) => network.Parameters.Value(network.Parameters.Find(name));

    private string Shape(params long[] dims) => graph.Constant(prefix + "shape", dims, dims.Length);

    private string Longs(params long[] values) => graph.Constant(prefix + "index", values, values.Length);

    private static OnnxAttribute Axes(params long[] axes) => OnnxAttribute.Ints("axes", axes);

    private static OnnxAttribute KeepDims(bool keep) => OnnxAttribute.Int("keepdims", keep ? 1 : 0);

    private static OnnxAttribute To(OnnxElementType type) => OnnxAttribute.Int("to", (long)type);

    /// <summary>Copies the gate blocks of <paramref name="source"/> (each <paramref name="block"/> values) in <paramref name="order"/>.</summary>
    private static void Reorder(ReadOnlySpan<float> source, int[] order, int block, Span<float> destination)
    {
        for (int g = 0; g < order.Length; g++)
            source.Slice(order[g] * block, block).CopyTo(destination.Slice(g * block, block));
    }

    /// <summary>[rows, columns] → [columns, rows].</summary>
    private static float[] Transposed(ReadOnlySpan<float> matrix, int rows, int columns)
    {
        var result = new float[matrix.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
                result[j * rows + i] = matrix[i * columns + j];
        }
        return result;
    }
}
