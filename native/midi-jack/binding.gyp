# @julusian/midi (RtMidi) built for JACK MIDI instead of ALSA: see docs/MIDI.md.
# `npm run midi:jack` builds it and puts it where the package's loader (pkg-prebuilds)
# looks first, build/Release/midi.node, so easymidi uses it; `npm run midi:default` undoes it.
{
  'variables': { 'pkg': '../../node_modules/@julusian/midi' },
  'targets': [
    {
      'target_name': 'midi',
      'cflags_cc!': [ '-fno-exceptions' ],
      'include_dirs': [
        '<!(node -p "require(\'node-addon-api\').include_dir")',
        '<(pkg)/vendor/rtmidi',
      ],
      'sources': [
        '<(pkg)/vendor/rtmidi/RtMidi.cpp',
        '<(pkg)/src-cpp/input.cpp',
        '<(pkg)/src-cpp/output.cpp',
        '<(pkg)/src-cpp/midi.cpp',
      ],
      'defines': [ '__UNIX_JACK__', 'JACK_HAS_PORT_RENAME' ],
      'link_settings': { 'libraries': [ '-ljack', '-lpthread' ] },
    },
  ],
}
