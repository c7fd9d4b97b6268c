using Mono.Cecil;

// Writes a copy of each assembly into the output folder with every type and member visible to
// the compiler: private and internal become public; private protected and protected internal
// become protected, because C# requires an override of a protected member from another assembly
// to be declared protected (CS0507 otherwise). The copies are compile references only: the
// runtime loads the real, signed assemblies, and the library's IgnoresAccessChecksTo attributes
// let it reach the members that are not public there.
// Usage: Publicizer <output folder> <assembly.dll>... [--search <folder>...]
// The search folders hold the assemblies the inputs reference (Cecil resolves some of them,
// e.g. for attribute arguments of enum types, while writing).
int searchStart = Array.IndexOf(args, "--search");
string[] positional = searchStart < 0 ? args : args[..searchStart];
string[] searchFolders = searchStart < 0 ? [] : args[(searchStart + 1)..];
if (positional.Length < 2)
{
    Console.Error.WriteLine("usage: Publicizer <output folder> <assembly.dll>... [--search <folder>...]");
    return 2;
}

string outputFolder = positional[0];
Directory.CreateDirectory(outputFolder);
using var resolver = new DefaultAssemblyResolver();
foreach (string folder in searchFolders)
    resolver.AddSearchDirectory(folder);
foreach (string inputPath in positional.Skip(1))
{
    resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(inputPath))!);
    using var assembly = AssemblyDefinition.ReadAssembly(inputPath, new ReaderParameters { AssemblyResolver = resolver });
    foreach (var type in assembly.MainModule.GetTypes())
        Publicize(type);

    string outputPath = Path.Combine(outputFolder, Path.GetFileName(inputPath));
    // Write to a temporary file first so that an interrupted run never leaves a half-written
    // reference that looks up to date to the next incremental build.
    string temporaryPath = outputPath + ".tmp";
    assembly.Write(temporaryPath);
    File.Move(temporaryPath, outputPath, overwrite: true);
    Console.WriteLine($"Publicizer: {inputPath} -> {outputPath}");
}
return 0;

static void Publicize(TypeDefinition type)
{
    type.Attributes &= ~TypeAttributes.VisibilityMask;
    type.Attributes |= type.IsNested ? NestedVisibility(type) : TypeAttributes.Public;

    foreach (var method in type.Methods)
    {
        var original = method.Attributes & MethodAttributes.MemberAccessMask;
        method.Attributes &= ~MethodAttributes.MemberAccessMask;
        method.Attributes |= original is MethodAttributes.FamANDAssem or MethodAttributes.FamORAssem or MethodAttributes.Family
            ? MethodAttributes.Family
            : MethodAttributes.Public;
    }

    foreach (var field in type.Fields)
    {
        var original = field.Attributes & FieldAttributes.FieldAccessMask;
        field.Attributes &= ~FieldAttributes.FieldAccessMask;
        field.Attributes |= original is FieldAttributes.FamANDAssem or FieldAttributes.FamORAssem or FieldAttributes.Family
            ? FieldAttributes.Family
            : FieldAttributes.Public;
    }
}

static TypeAttributes NestedVisibility(TypeDefinition type)
{
    var original = type.Attributes & TypeAttributes.VisibilityMask;
    return original is TypeAttributes.NestedFamANDAssem or TypeAttributes.NestedFamORAssem or TypeAttributes.NestedFamily
        ? TypeAttributes.NestedFamily
        : TypeAttributes.NestedPublic;
}
