namespace OpenWer.Analysis.Modules;

/// <summary>The dump's modules sorted by address, each with its files on this machine opened on first use.</summary>
public sealed class ModuleSet : IDisposable
{
    private readonly DumpModule[] _byAddress;
    private readonly ModuleImage?[] _images;
    private readonly ModuleFileLocator _locator;

    public IReadOnlyList<DumpModule> Modules { get; }

    public ModuleSet(IReadOnlyList<DumpModule> modules, ModuleFileLocator locator)
    {
        Modules = modules;
        _byAddress = [.. modules.OrderBy(m => m.BaseAddress)];
        _images = new ModuleImage?[modules.Count];
        _locator = locator;
    }

    public DumpModule? Find(ulong address)
    {
        int lo = 0, hi = _byAddress.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            var m = _byAddress[mid];
            if (address < m.BaseAddress) hi = mid - 1;
            else if (address >= m.EndAddress) lo = mid + 1;
            else return m;
        }
        return null;
    }

    public ModuleImage Image(DumpModule module) => _images[module.Index] ??= _locator.Locate(module);

    public void Dispose()
    {
        foreach (var image in _images)
            image?.Dispose();
    }
}
