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
