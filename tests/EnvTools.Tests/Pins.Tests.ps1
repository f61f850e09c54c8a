# Pins: conda-meta/pinned honoured by the solves, written by Add-EnvPin/Remove-EnvPin (comments and other lines kept),
# listed by Get-EnvPin and shown as IsPinned on Get-EnvPackage output. Real packages in a local channel.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:chan = Join-Path $TestDrive 'channel'
    New-TestPackage -Channel $chan -Name libdemo -Version 1.0 -Files @{ 'lib/libdemo.txt' = "one`n" } | Out-Null
    New-TestPackage -Channel $chan -Name libdemo -Version 2.0 -Files @{ 'lib/libdemo.txt' = "two`n" } | Out-Null
    New-TestPackage -Channel $chan -Name solo -Version 0.1 -Files @{ 'share/solo.txt' = "solo`n" } | Out-Null
    New-TestPackage -Channel $chan -Name solo -Version 0.2 -Files @{ 'share/solo.txt' = "solo two`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null
    function Show($items) { $items | ForEach-Object { "$($_.Action) $($_.Name) $($_.Version)" } | Sort-Object }
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'Pins' {
    BeforeEach {
        $script:prefix = Join-Path $TestDrive "envs/p-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
        New-Env -Prefix $prefix 'libdemo=1.0' 'solo=0.1' -Channel $chan | Out-Null
        $script:pinFile = Join-Path $prefix 'conda-meta/pinned'
    }

    It 'honours a conda-meta/pinned written by hand (comments skipped) in updates and installs' {
        Set-Content $pinFile "# keep libdemo on 1.x`nlibdemo 1.*`n"
        Update-EnvPackage -All -Prefix $prefix -Channel $chan | ForEach-Object { "$($_.Action) $($_.Name) $($_.Version)" } | Should -Be @('Update solo 0.2')
        (Get-EnvPackage -Prefix $prefix -Package libdemo).Version | Should -Be '1.0'
        Install-EnvPackage 'libdemo=2.0' -Prefix $prefix -Channel $chan -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Unsatisfiable,*'
        $err[0].Exception.Message | Should -Match 'pinned'
    }

    It 'Add-EnvPin pins a bare name to its installed version, keeps comments, and replaces a pin of the same name' {
        Set-Content $pinFile "# my pins`nsolo >=0.1`n"
        $pins = Add-EnvPin libdemo -Prefix $prefix -PassThru
        $pins.PSObject.TypeNames[0] | Should -Be 'EnvTools.EnvironmentPin'
        "$($pins.Package) $($pins.Spec) $($pins.Source)" | Should -Be 'libdemo libdemo==1.0 File'
        Add-EnvPin 'solo 0.1.*' -Prefix $prefix
        Get-Content $pinFile | Should -Be @('# my pins', 'solo 0.1.*', 'libdemo==1.0')
        Add-EnvPin 'solo 0.1.*' 'libdemo 1.*' -Prefix $prefix   # several specs as separate arguments, as New-Env takes them
        Get-Content $pinFile | Should -Be @('# my pins', 'solo 0.1.*', 'libdemo 1.*')
        Add-EnvPin libdemo -Prefix $prefix
        Update-EnvPackage -All -Prefix $prefix -Channel $chan -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        (Get-EnvPackage -Prefix $prefix).Version | Should -Be @('1.0', '0.1')
    }

    It 'Get-EnvPin lists the file''s pins and the configured pinned_packages; Get-EnvPackage shows IsPinned' {
        Add-EnvPin libdemo -Prefix $prefix
        $env:CONDA_PINNED_PACKAGES = 'solo<1'
        try {
            $pins = Get-EnvPin -Prefix $prefix
            $pins | ForEach-Object { "$($_.Package) $($_.Spec) $($_.Source)" } | Should -Be @('libdemo libdemo==1.0 File', 'solo solo<1 Configuration')
            (Get-EnvPackage -Prefix $prefix | Where-Object IsPinned).Name | Should -Be @('libdemo', 'solo')
        }
        finally { Remove-Item env:CONDA_PINNED_PACKAGES }
        (Get-EnvPackage -Prefix $prefix | Where-Object IsPinned).Name | Should -Be @('libdemo')
        (Get-EnvPin -Prefix $prefix | Out-String) | Should -Match 'libdemo==1\.0\s+File'
    }

    It 'Remove-EnvPin removes pins (also piped from Get-EnvPin), keeps the other lines, and names a pin that is not there' {
        Set-Content $pinFile "# note`nlibdemo 1.*`nsolo 0.1.*`n"
        Remove-EnvPin libdemo solo -Prefix $prefix -PassThru | ForEach-Object Spec | Should -Be @('libdemo 1.*', 'solo 0.1.*')
        Get-Content $pinFile | Should -Be @('# note')
        Add-Content $pinFile 'solo 0.1.*'
        Remove-EnvPin libdemo -Prefix $prefix -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'PinNotFound,EnvTools.Commands.RemoveEnvPinCommand'
        $err[0].Exception.Message | Should -Match 'pinned: solo'
        Get-EnvPin -Prefix $prefix | Remove-EnvPin
        Get-Content $pinFile | Should -Be @('# note')
        Show (Update-EnvPackage -All -Prefix $prefix -Channel $chan) | Should -Be @('Update libdemo 2.0', 'Update solo 0.2')
    }

    It 'refuses bad input before writing: an invalid spec, a bare name that is not installed; -WhatIf writes nothing' {
        Add-EnvPin 'libdemo >=<1' -Prefix $prefix -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidSpec,*'
        Add-EnvPin numpy -Prefix $prefix -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PackageNotInstalled,*'
        Add-EnvPin libdemo -Prefix $prefix -WhatIf
        Test-Path $pinFile | Should -BeFalse
    }

    It 'completes pinned names for Remove-EnvPin and installed ones for Add-EnvPin' {
        Add-EnvPin libdemo -Prefix $prefix
        $line = "Remove-EnvPin -Prefix '$prefix' "
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('libdemo')
        $line = "Add-EnvPin -Prefix '$prefix' so"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('solo')
    }
}
