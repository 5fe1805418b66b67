#!/usr/bin/env bash
# Compiles the headstart_sensor sketch for an ATmega328P (Uno/Nano, 16 MHz)
# with Debian's gcc-avr, avr-libc and arduino-core-avr, the way the Arduino
# IDE would, and prints flash and RAM use.
#   firmware-bridge/build_avr.sh [output dir]     (default: firmware-bridge/build)
# Needs: apt-get install gcc-avr avr-libc arduino-core-avr
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/build}"
arduino="${ARDUINO_AVR:-/usr/share/arduino/hardware/arduino/avr}"
core="$arduino/cores/arduino"
variant="$arduino/variants/standard"
sketch="$here/arduino/headstart_sensor"

for tool in avr-gcc avr-g++ avr-objcopy avr-size; do
  command -v "$tool" >/dev/null || { echo "build_avr: $tool not found: apt-get install gcc-avr avr-libc" >&2; exit 2; }
done
[ -f "$core/Arduino.h" ] || { echo "build_avr: Arduino core not found at $core: apt-get install arduino-core-avr (or set ARDUINO_AVR)" >&2; exit 2; }

mkdir -p "$out/core"
common=(-mmcu=atmega328p -DF_CPU=16000000L -DARDUINO=10807 -DARDUINO_AVR_UNO -DARDUINO_ARCH_AVR
        -Os -ffunction-sections -fdata-sections -flto -I"$core" -I"$variant")
cflags=("${common[@]}" -std=gnu11)
# Debian's avr-gcc 5.4 hides DECIMAL_DIG from C++ (float.h guards it as C99-only); the core's WString.cpp needs it.
cxxflags=("${common[@]}" -std=gnu++11 -fpermissive -fno-exceptions -fno-threadsafe-statics -DDECIMAL_DIG=__DECIMAL_DIG__)

objs=()
for src in "$core"/*.c "$core"/*.cpp "$core"/*.S; do
  obj="$out/core/$(basename "$src").o"
  case "$src" in
    *.c) avr-gcc "${cflags[@]}" -w -c "$src" -o "$obj" ;;
    *.cpp) avr-g++ "${cxxflags[@]}" -w -c "$src" -o "$obj" ;;
    *.S) avr-gcc "${common[@]}" -x assembler-with-cpp -c "$src" -o "$obj" ;;
  esac
  objs+=("$obj")
done

# The codec is checked strictly; the sketch too (the core is not ours, so -w above).
avr-gcc "${cflags[@]}" -Wall -Wextra -Werror -c "$sketch/src/hs_protocol.c" -o "$out/hs_protocol.o"
{ echo '#include <Arduino.h>'; echo "#line 1 \"headstart_sensor.ino\""; cat "$sketch/headstart_sensor.ino"; } > "$out/headstart_sensor.cpp"
avr-g++ "${cxxflags[@]}" -Wall -Wextra -Werror -I"$sketch" -c "$out/headstart_sensor.cpp" -o "$out/headstart_sensor.o"

avr-gcc -mmcu=atmega328p -Os -flto -Wl,--gc-sections -o "$out/headstart_sensor.elf" \
  "$out/headstart_sensor.o" "$out/hs_protocol.o" "${objs[@]}" -lm
avr-objcopy -O ihex -R .eeprom "$out/headstart_sensor.elf" "$out/headstart_sensor.hex"

# flash = .text + .data (initial values live in flash); RAM = .data + .bss (the stack comes on top)
read -r text data bss < <(avr-size -A "$out/headstart_sensor.elf" | awk '$1==".text"{t=$2} $1==".data"{d=$2} $1==".bss"{b=$2} END{print t+0, d+0, b+0}')
flash=$((text + data)); ram=$((data + bss))
printf 'flash %d bytes (%.1f %% of 32256)  RAM %d bytes (%.1f %% of 2048)\n' "$flash" "$(echo "100*$flash/32256" | bc -l)" "$ram" "$(echo "100*$ram/2048" | bc -l)"
echo "firmware: $out/headstart_sensor.hex"
