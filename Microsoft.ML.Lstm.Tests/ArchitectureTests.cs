using System.ComponentModel;
using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Numerics;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Microsoft.ML.Lstm.Tests;

/// <summary>
/// The layering, read from the compiled assemblies: Numerics and Networks use no ML.NET type, in any signature,
/// attribute or method body. A text search cannot tell, since their namespaces nest under Microsoft.ML.
/// </summary>
public class ArchitectureTests
{
    [Fact]
    public void NumericsAndNetworksReferenceNoMLNetType()
    {
        using var library = ModuleDefinition.ReadModule(typeof(Gemm).Assembly.Location);
        List<Reference> found = MLNetReferences(TypesIn(library, "Microsoft.ML.Lstm.Numerics", "Microsoft.ML.Lstm.Networks"));
        Assert.True(found.Count == 0, $"{found.Count} uses of ML.NET types:\n{string.Join("\n", found)}");
    }

    [Fact]
    public void TheCheckFindsTheMLNetLayersReferences()
    {
        using var library = ModuleDefinition.ReadModule(typeof(Gemm).Assembly.Location);
        List<Reference> found = MLNetReferences(TypesIn(library, "Microsoft.ML.Lstm.MLNet"));
        Assert.Contains(found, r => r.Assembly == "Microsoft.ML.DataView");
    }

    [Theory]
    [InlineData(nameof(Fixtures.BaseType), "base type")]
    [InlineData(nameof(Fixtures.Interface), "interface")]
    [InlineData(nameof(Fixtures.Field), "field type")]
    [InlineData(nameof(Fixtures.GenericArgument), "field type")]
    [InlineData(nameof(Fixtures.ReturnType), "return type")]
    [InlineData(nameof(Fixtures.Parameter), "parameter")]
    [InlineData(nameof(Fixtures.GenericConstraint), "generic constraint")]
    [InlineData(nameof(Fixtures.Local), "local variable")]
    [InlineData(nameof(Fixtures.CalledMember), "method body")]
    [InlineData(nameof(Fixtures.Lambda), "method body")]
    [InlineData(nameof(Fixtures.AttributedField), "attribute")]
    [InlineData(nameof(Fixtures.AttributeArgument), "attribute argument")]
    public void TheCheckFindsEachKindOfUse(string fixture, string kind)
    {
        using var tests = ModuleDefinition.ReadModule(typeof(ArchitectureTests).Assembly.Location);
        TypeDefinition fixtures = tests.GetType(typeof(Fixtures).FullName!.Replace('+', '/'));
        TypeDefinition type = fixtures.NestedTypes.Single(t => t.Name == fixture);
        List<Reference> found = MLNetReferences(new[] { type }.Concat(NestedIn(type)));
        Assert.Contains(found, r => r.Kind == kind);
    }

    /// <summary>One use of an ML.NET type: the type or member that uses it, how, and the type with its assembly.</summary>
    private sealed record Reference(string User, string Kind, string Type, string Assembly)
    {
        public override string ToString() => $"{User}: {Kind} {Type} [{Assembly}]";
    }

    /// <summary>The types of <paramref name="namespaces"/> and of namespaces under them, with every type nested in them.</summary>
    private static IEnumerable<TypeDefinition> TypesIn(ModuleDefinition module, params string[] namespaces) =>
        module.GetTypes().Where(type => namespaces.Any(n => NamespaceOf(type) == n || NamespaceOf(type).StartsWith(n + ".", StringComparison.Ordinal)));

    private static string NamespaceOf(TypeDefinition type) => type.DeclaringType is null ? type.Namespace : NamespaceOf(type.DeclaringType);

    private static IEnumerable<TypeDefinition> NestedIn(TypeDefinition type) => type.NestedTypes.SelectMany(nested => NestedIn(nested).Prepend(nested));

    private static List<Reference> MLNetReferences(IEnumerable<TypeDefinition> types) =>
        (from type in types
         from use in UsesBy(type)
         from part in Parts(use.Type)
         let assembly = AssemblyOf(part)
         where assembly is "Microsoft.ML" || (assembly.StartsWith("Microsoft.ML.", StringComparison.Ordinal) && assembly != "Microsoft.ML.Lstm")
         select new Reference(use.User, use.Kind, part.FullName, assembly)).Distinct().ToList();

    /// <summary>The assembly a type is defined in; the module being read counts as none.</summary>
    private static string AssemblyOf(TypeReference type) => type.Scope is AssemblyNameReference assembly ? assembly.Name : "";

    /// <summary>
    /// The named types a type signature is built of: a generic instance's definition and arguments, an array's or
    /// pointer's element, a modifier and what it modifies, a function pointer's return and parameter types.
    /// </summary>
    private static IEnumerable<TypeReference> Parts(TypeReference type) => type switch
    {
        GenericInstanceType generic => Parts(generic.ElementType).Concat(generic.GenericArguments.SelectMany(Parts)),
        IModifierType modified => Parts(modified.ModifierType).Concat(Parts(modified.ElementType)),
        FunctionPointerType pointer => Parts(pointer.ReturnType).Concat(pointer.Parameters.SelectMany(p => Parts(p.ParameterType))),
        TypeSpecification specification => Parts(specification.ElementType),
        GenericParameter => [],
        _ => [type],
    };

    private static IEnumerable<(string User, string Kind, TypeReference Type)> UsesBy(TypeDefinition type)
    {
        string user = type.FullName;
        if (type.BaseType is not null)
            yield return (user, "base type", type.BaseType);
        foreach (InterfaceImplementation implementation in type.Interfaces)
            yield return (user, "interface", implementation.InterfaceType);
        foreach (var use in UsesBy(user, type.CustomAttributes).Concat(UsesBy(user, type.GenericParameters)))
            yield return use;
        foreach (FieldDefinition field in type.Fields)
        {
            yield return (NameOf(field), "field type", field.FieldType);
            foreach (var use in UsesBy(NameOf(field), field.CustomAttributes))
                yield return use;
        }
        foreach (PropertyDefinition property in type.Properties)
        {
            yield return (NameOf(property), "property type", property.PropertyType);
            foreach (var use in UsesBy(NameOf(property), property.CustomAttributes))
                yield return use;
        }
        foreach (EventDefinition @event in type.Events)
        {
            yield return (NameOf(@event), "event type", @event.EventType);
            foreach (var use in UsesBy(NameOf(@event), @event.CustomAttributes))
                yield return use;
        }
        foreach (MethodDefinition method in type.Methods)
        {
            foreach (var use in UsesBy(method))
                yield return use;
        }
    }

    private static IEnumerable<(string User, string Kind, TypeReference Type)> UsesBy(MethodDefinition method)
    {
        string user = NameOf(method);
        yield return (user, "return type", method.ReturnType);
        foreach (ParameterDefinition parameter in method.Parameters)
        {
            yield return (user, "parameter", parameter.ParameterType);
            foreach (var use in UsesBy(user, parameter.CustomAttributes))
                yield return use;
        }
        foreach (var use in UsesBy(user, method.CustomAttributes).Concat(UsesBy(user, method.MethodReturnType.CustomAttributes)))
            yield return use;
        foreach (var use in UsesBy(user, method.GenericParameters))
            yield return use;
        foreach (MethodReference overridden in method.Overrides)
        {
            foreach (TypeReference used in Signature(overridden))
                yield return (user, "overridden method", used);
        }
        if (!method.HasBody)
            yield break;

        foreach (VariableDefinition variable in method.Body.Variables)
            yield return (user, "local variable", variable.VariableType);
        foreach (ExceptionHandler handler in method.Body.ExceptionHandlers.Where(h => h.CatchType is not null))
            yield return (user, "caught exception", handler.CatchType);
        foreach (Instruction instruction in method.Body.Instructions)
        {
            IEnumerable<TypeReference> operandTypes = instruction.Operand switch
            {
                TypeReference operand => [operand],
                MemberReference member => Signature(member),
                CallSite callSite => [callSite.ReturnType, .. callSite.Parameters.Select(p => p.ParameterType)],
                _ => [],
            };
            foreach (TypeReference used in operandTypes)
                yield return (user, "method body", used);
        }
    }

    private static string NameOf(IMemberDefinition member) => $"{member.DeclaringType.FullName}::{member.Name}";

    /// <summary>The types a member reference names: its declaring type, and its field type or return, parameter and generic argument types.</summary>
    private static IEnumerable<TypeReference> Signature(MemberReference member) => member switch
    {
        GenericInstanceMethod generic => Signature(generic.ElementMethod).Concat(generic.GenericArguments),
        MethodReference method => [method.DeclaringType, method.ReturnType, .. method.Parameters.Select(p => p.ParameterType)],
        FieldReference field => [field.DeclaringType, field.FieldType],
        _ => [member.DeclaringType],
    };

    private static IEnumerable<(string User, string Kind, TypeReference Type)> UsesBy(string user, IEnumerable<GenericParameter> parameters)
    {
        foreach (GenericParameter parameter in parameters)
        {
            foreach (GenericParameterConstraint constraint in parameter.Constraints)
                yield return (user, "generic constraint", constraint.ConstraintType);
            foreach (var use in UsesBy(user, parameter.CustomAttributes))
                yield return use;
        }
    }

    private static IEnumerable<(string User, string Kind, TypeReference Type)> UsesBy(string user, IEnumerable<CustomAttribute> attributes)
    {
        foreach (CustomAttribute attribute in attributes)
        {
            foreach (TypeReference used in Signature(attribute.Constructor))
                yield return (user, "attribute", used);
            IEnumerable<CustomAttributeArgument> arguments = attribute.ConstructorArguments
                .Concat(attribute.Properties.Select(p => p.Argument))
                .Concat(attribute.Fields.Select(f => f.Argument));
            foreach (TypeReference used in arguments.SelectMany(ArgumentTypes))
                yield return (user, "attribute argument", used);
        }
    }

    /// <summary>An attribute argument's type and, for typeof(…) or an array or boxed value, the types inside it.</summary>
    private static IEnumerable<TypeReference> ArgumentTypes(CustomAttributeArgument argument) => argument.Value switch
    {
        TypeReference type => [argument.Type, type],
        CustomAttributeArgument boxed => ArgumentTypes(boxed).Prepend(argument.Type),
        CustomAttributeArgument[] elements => elements.SelectMany(ArgumentTypes).Prepend(argument.Type),
        _ => [argument.Type],
    };

    /// <summary>Types in this assembly that each use an ML.NET type in one way, for the check to find; never run.</summary>
#pragma warning disable CS0649 // fields never assigned
    private static class Fixtures
    {
        public class BaseType : TextLoader.Options;

        public abstract class Interface : IEstimator<ITransformer>
        {
            public abstract ITransformer Fit(IDataView input);

            public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);
        }

        public sealed class Field
        {
            public IDataView? View;
        }

        public sealed class GenericArgument
        {
            public List<Dictionary<int, IDataView>>? Views;
        }

        public static class ReturnType
        {
            public static IDataView? Make() => null;
        }

        public static class Parameter
        {
            public static void Take(IDataView view) => GC.KeepAlive(view);
        }

        public static class GenericConstraint
        {
            public static void Take<TView>(TView view) where TView : IDataView => GC.KeepAlive(view);
        }

        public static class Local
        {
            public static string Describe(object value)
            {
                var view = value as IDataView;
                return view is null ? "" : view.ToString()!;
            }
        }

        public static class CalledMember
        {
            public static int Hash() => new MLContext(seed: 1).GetHashCode();
        }

        public static class Lambda
        {
            public static Func<object, bool> IsDataView() => value => value.GetType() == typeof(DataViewSchema);
        }

        public sealed class AttributedField
        {
            [LoadColumn(0)]
            public float Column;
        }

        [TypeConverter(typeof(MLContext))]
        public sealed class AttributeArgument;
    }
#pragma warning restore CS0649
}
