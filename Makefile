# vnie: one non-recursive Makefile.
#
#   make            build ./vnie
#   make check      unit, golden and bad-input tests (ends "N passed, N failed")
#   make check-asan the same suite under AddressSanitizer + UBSan
#   make valgrind   a representative subset under valgrind (not run by CI:
#                   it takes minutes; see tests/valgrind.sh)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (tests/fuzz/)
#   make check-html the HTML export rendered in headless Chromium
#   make bench      speed and memory beside baselines (see tests/bench/)
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

PREFIX  ?= /usr/local
DATADIR ?= $(PREFIX)/share/vnie
CC      ?= cc
PKGS    := icu-uc icu-i18n libpcre2-8 jansson libutf8proc

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
ifeq ($(PKG_LIBS),)
$(error pkg-config cannot find $(PKGS): install libicu-dev libpcre2-dev libjansson-dev libutf8proc-dev pkg-config)
endif

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter -Wno-format-truncation
ifdef WERROR
WARN    += -Werror
endif
OPT     ?= -O2 -g

ifdef SANITIZE
B       := build-asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1 -g
else
B       := build
SANFLAGS :=
endif

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) $(SANFLAGS) $(PKG_CFLAGS) \
	-DVNIE_DATADIR='"$(DATADIR)"' -Ipipeline -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lpthread -lm

SRC     := $(sort $(wildcard pipeline/*.c))
LIBOBJ  := $(patsubst pipeline/%.c,$(B)/%.o,$(filter-out pipeline/main.c,$(SRC)))
MAINOBJ := $(B)/main.o
UNITSRC := $(sort $(wildcard tests/unit/test_*.c))
UNITBIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNITSRC))
TOOLSRC := $(sort $(wildcard tests/tools/*.c))
TOOLBIN := $(patsubst tests/tools/%.c,$(B)/tools/%,$(TOOLSRC))

ifdef SANITIZE
VNIE    := $(B)/vnie
else
VNIE    := ./vnie
endif

.PHONY: FORCE all check check-asan check-html unit golden bench install uninstall clean fuzz valgrind

all: $(VNIE)

$(VNIE): $(MAINOBJ) $(B)/libvnie.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/libvnie.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/%.o: pipeline/%.c | $(B)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c tests/unit/t.h $(B)/libvnie.a | $(B)
	@mkdir -p $(B)/tests
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(B)/libvnie.a $(ALL_LDFLAGS) $(LIBS)

$(B)/tools/%: tests/tools/%.c $(B)/libvnie.a | $(B)
	@mkdir -p $(B)/tools
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libvnie.a $(ALL_LDFLAGS) $(LIBS)

$(B):
	mkdir -p $(B)

# The installed data directory is compiled into data.o: rebuild it when
# PREFIX or DATADIR changes (make install PREFIX=/opt/vnie).
$(B)/datadir.stamp: FORCE | $(B)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
$(B)/data.o: $(B)/datadir.stamp
FORCE:

check: $(VNIE) $(UNITBIN) $(TOOLBIN)
	@VNIE=$(VNIE) UNITDIR=$(B)/tests TOOLS=$(CURDIR)/$(B)/tools sh tests/run.sh

check-asan:
	$(MAKE) SANITIZE=1 check

valgrind: $(VNIE) $(UNITBIN) $(TOOLBIN)
	VNIE=$(VNIE) UNITDIR=$(B)/tests TOOLS=$(CURDIR)/$(B)/tools sh tests/valgrind.sh

# libFuzzer targets: every tests/fuzz/fuzz_*.c, built with clang into
# build-fuzz/ against the modules compiled with the same sanitizers.
FUZZCC      ?= clang
FUZZ_SECONDS ?= 60
FUZZSAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE $(filter-out -Wno-format-truncation,$(WARN)) -O1 -g $(FUZZSAN) $(PKG_CFLAGS) \
	-DVNIE_DATADIR='"$(DATADIR)"' -Ipipeline -MMD -MP $(CFLAGS)
FUZZSRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZBIN     := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(FUZZSRC))
FUZZOBJ     := $(patsubst pipeline/%.c,build-fuzz/%.o,$(filter-out pipeline/main.c,$(SRC)))

build-fuzz/%.o: pipeline/%.c
	@mkdir -p build-fuzz
	$(FUZZCC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/libvnie.a: $(FUZZOBJ)
	rm -f $@
	ar rcs $@ $^

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/libvnie.a
	$(FUZZCC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build-fuzz/libvnie.a $(LIBS)

fuzz: $(FUZZBIN)
	sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZBIN)
# The HTML export rendered in headless Chromium (needs Debian's chromium).
check-html: $(VNIE)
	sh tests/html/check.sh $(VNIE)

bench: $(VNIE)
	sh tests/bench/bench.sh $(VNIE)

install: $(VNIE)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR)/gazetteers
	install -m 755 $(VNIE) $(DESTDIR)$(PREFIX)/bin/vnie
	cp -R rules/. $(DESTDIR)$(DATADIR)/rules/
	cp -R gazetteers/. $(DESTDIR)$(DATADIR)/gazetteers/
	if [ -f docs/vnie.1 ]; then install -d $(DESTDIR)$(PREFIX)/share/man/man1 && \
		install -m 644 docs/vnie.1 $(DESTDIR)$(PREFIX)/share/man/man1/vnie.1; fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/vnie $(DESTDIR)$(PREFIX)/share/man/man1/vnie.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-fuzz vnie tests/out

-include $(wildcard $(B)/*.d $(B)/tests/*.d $(B)/tools/*.d build-fuzz/*.d)
