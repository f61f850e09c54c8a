BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
}

Describe 'EnvTools module' {
    It 'imports from the built module folder' {
        Get-Module EnvTools | Should -Not -BeNullOrEmpty
    }

    It 'exposes the engine''s public types to PowerShell' {
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'EnvTools.Core' }
        $core | Should -Not -BeNullOrEmpty
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).Name | Should -Be 'Default'
    }

    It 'ships third-party libraries only in Dependencies/, outside the default load context' {
        $moduleBase = (Get-Module EnvTools).ModuleBase
        Get-ChildItem $moduleBase -Filter *.dll | ForEach-Object Name | Sort-Object |
            Should -Be @('EnvTools.Core.dll', 'EnvTools.dll')
        (Get-ChildItem (Join-Path $moduleBase 'Dependencies') -Filter *.dll).Name | Should -Contain 'ZstdSharp.dll'
    }
}

Describe 'Removing and importing the module again' {
    It 'takes its assembly-resolution hook out on Remove-Module and puts it back on Import-Module' {
        $manifest = Join-Path (Get-Module EnvTools).ModuleBase 'EnvTools.psd1'
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$manifest'
`$t = [EnvTools.Commands.Internal.EnvToolsModuleInitializer].Assembly.GetType('EnvTools.Commands.Internal.DependencyLoadContext')
`$registered = { `$t.GetProperty('IsRegistered', [Reflection.BindingFlags]'NonPublic,Static').GetValue(`$null) }
"imported: `$(& `$registered)"
Remove-Module EnvTools
"removed: `$(& `$registered)"
Import-Module '$manifest'
"again: `$(& `$registered)"
"@
        $pwsh = (Get-Process -Id $PID).Path   # pwsh, or the dotnet host of the repository's pwsh tool
        $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { "$PSHOME/pwsh.dll" })
        $out = & $pwsh @pwshArgs -NoProfile -NonInteractive -Command $script
        $out | Should -Be @('imported: True', 'removed: False', 'again: True')
    }
}

Describe 'Engine types from PowerShell' {
    It 'parses and orders conda versions' {
        [EnvTools.Conda.Version]::Parse('1.0') | Should -Be ([EnvTools.Conda.Version]::Parse('1.0.0'))
        $sorted = '1.0rc1', '1.0', '1.0.post1', '1.0a1', '1!0.5', '1.0dev0' |
            ForEach-Object { [EnvTools.Conda.Version]::Parse($_) } | Sort-Object
        ($sorted | ForEach-Object ToString) | Should -Be @('1.0dev0', '1.0a1', '1.0rc1', '1.0', '1.0.post1', '1!0.5')
    }

    It 'matches version specs' {
        $spec = [EnvTools.Conda.VersionSpec]::Parse('>=1.21,<2|1.19.*')
        $spec.Matches('1.22.3') | Should -BeTrue
        $spec.Matches('1.19.5') | Should -BeTrue
        $spec.Matches('2.0') | Should -BeFalse
    }

    It 'raises InvalidSpec for a bad version' {
        $err = { [EnvTools.Conda.Version]::Parse('1..0') } | Should -Throw -PassThru
        $err.Exception.InnerException | Should -BeOfType ([EnvTools.InvalidSpecException])
        $err.Exception.InnerException.ErrorId | Should -Be 'InvalidSpec'
    }
}

Describe 'Third-party libraries in the module''s load context' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestData.psm1') -Force
        $script:zstRel = 'repodata/conda-forge-subchannel-python3.9-2024-05-16/noarch/repodata.json.zst'
        $script:zst = Get-ConformanceDataPath $zstRel
    }

    It 'reads a .zst-only channel through ZstdSharp loaded in EnvTools.Dependencies' {
        if (-not (Test-ConformanceData $zstRel)) { Set-ItResult -Skipped -Because (Get-ConformanceDataMessage $zstRel); return }
        $dir = Join-Path $TestDrive 'zst-channel/noarch'
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        Copy-Item $zst (Join-Path $dir 'repodata.json.zst')
        $found = Find-EnvPackage 'pip' -Channel (Join-Path $TestDrive 'zst-channel') -OverrideChannels -Platform noarch
        $found | Should -Not -BeNullOrEmpty
        $found[0].Name | Should -Be 'pip'
        $zstd = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'ZstdSharp' }
        $zstd | Should -Not -BeNullOrEmpty
        foreach ($a in $zstd) {
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($a).Name | Should -Be 'EnvTools.Dependencies'
        }
    }
}

Describe 'Cmdlet help' {
    It 'documents <_> (synopsis, description, every parameter, an example)' -ForEach @((Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../EnvTools.psd1')).CmdletsToExport) {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\S+-\S+\s*(\[|$)'   # not PowerShell's generated syntax stub
        ($help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        foreach ($p in $help.parameters.parameter) {
            ($p.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$($p.name) needs a description"
        }
        @($help.examples.example).Count | Should -BeGreaterThan 0
    }

    It 'has the conceptual topic about_EnvTools, naming every exported cmdlet and every configuration variable it reads' {
        $text = Get-Help about_EnvTools | Out-String
        foreach ($section in 'CONCEPTS', 'CONFIGURATION', 'ENVIRONMENT VARIABLES', 'ERRORS', 'COMPATIBILITY WITH CONDA') {
            $text | Should -Match $section
        }
        foreach ($cmdlet in (Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../EnvTools.psd1')).CmdletsToExport) {
            $text | Should -Match ([regex]::Escape($cmdlet)) -Because "about_EnvTools lists the cmdlets by task"
        }
        foreach ($variable in 'CONDARC', 'CONDA_RESTRICT_RC_SEARCH_PATH', 'CONDA_OVERRIDE_CUDA', 'ENVTOOLS_INDEX_CACHE') {
            $text | Should -Match $variable
        }
    }

    It 'shows sizes in one rule: bytes below 1 KiB, else KiB/MiB/GiB rounded to nearest' {
        $culture = [Globalization.CultureInfo]::CurrentCulture
        [Globalization.CultureInfo]::CurrentCulture = [Globalization.CultureInfo]::InvariantCulture
        try {
            [EnvTools.Commands.ByteSize]::Format(1038) | Should -Be '1.0 KiB'      # was "2 KB" (rounded up)
            [EnvTools.Commands.ByteSize]::Format(1023) | Should -Be '1,023 B'
            [EnvTools.Commands.ByteSize]::Format(1587) | Should -Be '1.5 KiB'
            [EnvTools.Commands.ByteSize]::Format(1048063) | Should -Be '1.0 MiB'    # never a four-digit number
            [EnvTools.Commands.ByteSize]::Format(4.3e6) | Should -Be '4.1 MiB'
            [EnvTools.Commands.ByteSize]::Format(3 * 1GB) | Should -Be '3.0 GiB'
            [EnvTools.Commands.ByteSize]::Format($null) | Should -Be ''
        }
        finally { [Globalization.CultureInfo]::CurrentCulture = $culture }
        $formats = Get-Content (Join-Path (Split-Path (Get-Module EnvTools).Path) 'EnvTools.Format.ps1xml') -Raw
        $formats | Should -Not -Match "'\{0:N[01]\} [KMG]B'" -Because 'every view uses the one rule'
    }
}

Describe 'Installing the module (build.ps1 Install)' {
    It 'lays the module out as EnvTools/(its version) in a modules folder, where Import-Module EnvTools and auto-loading find it' {
        $root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
        $dest = Join-Path $TestDrive 'Modules'
        # a child PowerShell like this one: `dotnet pwsh` (the repository's tool) or the pwsh.exe running the suite
        $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { "$PSHOME/pwsh.dll" })
        $out = & ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command "& '$root/build.ps1' Install -NoBuild -Destination '$dest'" 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        $version = (Import-PowerShellDataFile (Join-Path $root 'EnvTools.psd1')).ModuleVersion
        Join-Path $dest "EnvTools/$version/EnvTools.psd1" | Should -Exist
        Join-Path $dest "EnvTools/$version/en-US/about_EnvTools.help.txt" | Should -Exist

        # a fresh session with that folder on PSModulePath: no path given, the first EnvTools command loads the module
        $check = "`$env:PSModulePath = '$dest' + [IO.Path]::PathSeparator + `$env:PSModulePath; " +
            "'listed=' + (Get-Module -ListAvailable EnvTools | Select-Object -First 1).ModuleBase; " +
            "`$null = Get-Command Get-EnvVirtualPackage; 'loaded=' + (Get-Module EnvTools).ModuleBase"
        $out = & ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command $check 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        $out | Should -Match ([regex]::Escape("listed=$(Join-Path $dest "EnvTools/$version")".TrimEnd('/')))
        $out | Should -Match ([regex]::Escape("loaded=$(Join-Path $dest "EnvTools/$version")"))
    }
}
