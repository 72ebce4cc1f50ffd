// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel's parsing of its ACS command-line parameters, reproduced so
 * that a "what if I booted with ..." answer is the one the kernel gives,
 * bad strings included (KERNEL-FACTS 1.6):
 *
 *   - splitting the command line into parameters (kernel/params.c
 *     next_arg(): quotes, "--" ends the kernel's part);
 *   - pci= options split at commas, the last disable_acs_redir= and the
 *     last config_acs= win;
 *   - device strings (pci_dev_str_match()): [DDDD:]BB:DD.F[/DD.F]*,
 *     matched from the device upward, and pci:VVVV:DDDD[:SV:SD] with 0 as
 *     a wildcard, all read with the kernel's sscanf() rules;
 *   - config_acs flag strings read right to left, 'x' = unchanged, and
 *     the merge ctrl = (fw_ctrl & ~mask) | (flags & mask).
 *
 * The kernel's sscanf() differs from the C library's in ways a fuzzer
 * finds at once ("0x" prefixes, values wider than the field are cut, no
 * sign), so it is emulated here rather than borrowed from libc.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

/* lib/ctype.c: space characters, Latin-1 NBSP included. */
static bool kisspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

static bool kisxdigit(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char *kskip_spaces(const char *s)
{
	while (kisspace((unsigned char)*s))
		s++;
	return s;
}

static unsigned int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return (unsigned int)((c | 0x20) - 'a' + 10);
}

/*
 * One %x conversion at @s: leading spaces skipped, a hex digit required,
 * a "0x" prefix swallowed (even with no digit after it), then digits
 * accumulated modulo 2^64 as simple_strntoull() does.  Returns the number
 * of characters consumed, 0 when the kernel would stop converting.
 */
size_t p2pdma_kscan_hex(const char *s, uint64_t *val)
{
	const char *p = kskip_spaces(s);
	uint64_t v = 0;

	if (!*p || !kisxdigit((unsigned char)*p))
		return 0;
	if (p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	while (kisxdigit((unsigned char)*p))
		v = v * 16 + hexval((unsigned char)*p++);
	*val = v;
	return (size_t)(p - s);
}

/*
 * The subset of the kernel's vsscanf() the device strings use: literal
 * characters, %x (unsigned int *), %hx (unsigned short *), %c (char *) and
 * %n (int *).  Returns the number of conversions made (%n not counted).
 */
static int ksscanf(const char *buf, const char *fmt, ...)
{
	const char *str = buf;
	va_list ap;
	int num = 0;

	va_start(ap, fmt);
	while (*fmt) {
		bool half = false;
		uint64_t v;
		size_t used;

		if (*fmt != '%') {
			if (*fmt++ != *str++)
				break;
			continue;
		}
		fmt++;
		if (*fmt == 'h') {
			half = true;
			fmt++;
		}
		if (!*fmt)
			break;
		if (*fmt == 'n') {
			*va_arg(ap, int *) = (int)(str - buf);
			fmt++;
			continue;
		}
		if (!*str)
			break;
		if (*fmt == 'c') {
			*va_arg(ap, char *) = *str++;
			fmt++;
			num++;
			continue;
		}
		fmt++;		/* 'x' */
		used = p2pdma_kscan_hex(str, &v);
		if (!used)
			break;
		if (half)
			*va_arg(ap, unsigned short *) = (unsigned short)v;
		else
			*va_arg(ap, unsigned int *) = (unsigned int)v;
		num++;
		str += used;
	}
	va_end(ap);
	return num;
}

static unsigned int kdevfn(unsigned int slot, unsigned int func)
{
	return ((slot & 0x1f) << 3) | (func & 0x07);
}

static unsigned int fn_devfn(const struct p2pdma_function *fn)
{
	return kdevfn(fn->bdf.dev, fn->bdf.fn);
}

/* pci_dev_str_match_path(): the entry ends at ';' (a ',' is part of it). */
static int match_path(const struct p2pdma_function *fn, const char *path,
		      const char **endptr)
{
	unsigned int seg, bus, slot, func;
	char *wpath, *p, end;
	int ret;

	*endptr = strchrnul(path, ';');
	wpath = strndup(path, (size_t)(*endptr - path));
	if (!wpath)
		return -ENOMEM;
	for (;;) {
		p = strrchr(wpath, '/');
		if (!p)
			break;
		if (ksscanf(p, "/%x.%x%c", &slot, &func, &end) != 2) {
			ret = -EINVAL;
			goto out;
		}
		if (fn_devfn(fn) != kdevfn(slot, func)) {
			ret = 0;
			goto out;
		}
		fn = p2pdma_upstream_bridge(fn);
		if (!fn) {
			ret = 0;
			goto out;
		}
		*p = '\0';
	}
	if (ksscanf(wpath, "%x:%x:%x.%x%c", &seg, &bus, &slot, &func, &end) != 4) {
		seg = 0;
		if (ksscanf(wpath, "%x:%x.%x%c", &bus, &slot, &func, &end) != 3) {
			ret = -EINVAL;
			goto out;
		}
	}
	ret = seg == fn->bdf.domain && bus == fn->bdf.bus &&
	      fn_devfn(fn) == kdevfn(slot, func);
out:
	free(wpath);
	return ret;
}

int p2pdma_dev_str_match(const struct p2pdma_function *fn, const char *p,
			 const char **endptr)
{
	unsigned short vendor, device, svendor, sdevice;
	int count = 0, ret;

	if (strncmp(p, "pci:", 4)) {
		ret = match_path(fn, p, &p);
		if (ret < 0)
			return ret;
		*endptr = p;
		return ret ? 1 : 0;
	}
	p += 4;
	if (ksscanf(p, "%hx:%hx:%hx:%hx%n", &vendor, &device, &svendor,
		    &sdevice, &count) != 4) {
		if (ksscanf(p, "%hx:%hx%n", &vendor, &device, &count) != 2)
			return -EINVAL;
		svendor = 0;
		sdevice = 0;
	}
	p += count;
	*endptr = p;
	return (!vendor || vendor == fn->vendor) &&
	       (!device || device == fn->device) &&
	       (!svendor || svendor == fn->subsys_vendor) &&
	       (!sdevice || sdevice == fn->subsys_device);
}

static int log_dev(char ***log, size_t *nr, const struct p2pdma_function *fn,
		   const char *msg)
{
	char name[P2PDMA_BDF_STRLEN];

	/* Enumeration time: no driver is bound yet, so the prefix is "pci". */
	return p2pdma_strv_pushf(log, nr, "pci %s: %s",
				 p2pdma_bdf_format(&fn->bdf, name, sizeof(name)), msg);
}

/*
 * One config_acs flag string, rightmost character first.  The kernel
 * shifts an int 1 by the position: past bit 15 the bit falls off the u16
 * mask, and from bit 32 the x86 shift count wraps; both are reproduced.
 * Returns false on a character other than 0, 1, x, X.
 */
static bool parse_flags(const char *p, const char *delimit, uint16_t *mask,
			uint16_t *flags)
{
	const char *c;
	uint32_t shift = 0;

	*mask = 0;
	*flags = 0;
	for (c = delimit; c > p; shift++) {
		uint16_t bit = (uint16_t)(1u << (shift & 31));

		c--;
		if (*c == '0') {
			*mask |= bit;
		} else if (*c == '1') {
			*mask |= bit;
			*flags |= bit;
		} else if (*c != 'x' && *c != 'X') {
			return false;
		}
	}
	return true;
}

int p2pdma_config_acs(const struct p2pdma_function *fn, const char *param,
		      uint16_t acs_mask, uint16_t acs_flags, uint16_t fw_ctrl,
		      uint16_t *ctrl, uint16_t *mask_out, char ***log,
		      size_t *nr_log, bool *once)
{
	uint16_t mask = acs_mask, flags = acs_flags;
	const char *p = param;
	int ret = 0;

	if (!p)
		return 0;
	while (*p) {
		if (!acs_mask) {
			const char *delimit = strchr(p, '@');

			if (!delimit) {
				log_dev(log, nr_log, fn, "ACS Flags missing");
				return 0;
			}
			if (!parse_flags(p, delimit, &mask, &flags)) {
				log_dev(log, nr_log, fn, "Invalid ACS flags... Ignoring");
				return 0;
			}
			p = delimit + 1;
		}
		if (mask & ~0x7f) {
			log_dev(log, nr_log, fn, "Invalid ACS flags specified");
			return 0;
		}
		ret = p2pdma_dev_str_match(fn, p, &p);
		if (ret < 0) {
			if (!*once)
				p2pdma_strv_pushf(log, nr_log,
						  "PCI: Can't parse ACS command line parameter");
			*once = true;
			break;
		}
		if (ret == 1)
			break;
		if (*p != ';' && *p != ',')
			break;
		p++;
	}
	if (ret != 1)
		return 0;
	/* pci_dev_specific_disable_acs_redir() quirks are not modelled. */
	*ctrl = (uint16_t)((fw_ctrl & ~mask) | (flags & mask));
	if (mask_out)
		*mask_out = mask;
	{
		char msg[64];

		/* The kernel's %#06x writes the 0x prefix even for zero. */
		snprintf(msg, sizeof(msg), "Configured ACS to 0x%04x", *ctrl);
		log_dev(log, nr_log, fn, msg);
	}
	return 1;
}

/*
 * next_arg() from kernel/params.c: one parameter, in place.  A leading
 * quote quotes the whole parameter; quotes toggle "inside" so spaces do
 * not split; a quote right after '=' and the matching last quote are
 * dropped from the value.  Other quotes stay in the text.
 */
static char *next_arg(char *args, char **param, char **val)
{
	unsigned int i, equals = 0;
	bool in_quote = false, quoted = false;

	if (*args == '"') {
		args++;
		in_quote = true;
		quoted = true;
	}
	for (i = 0; args[i]; i++) {
		if (kisspace((unsigned char)args[i]) && !in_quote)
			break;
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	if (!equals) {
		*val = NULL;
	} else {
		args[equals] = '\0';
		*val = args + equals + 1;
		if (**val == '"') {
			(*val)++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i]) {
		args[i] = '\0';
		args += i + 1;
	} else {
		args += i;
	}
	return (char *)kskip_spaces(args);
}

/* pci= options the kernel knows besides the ACS ones (kernel-parameters.txt). */
static const char *const pci_options[] = {
	"earlydump", "off", "conf1", "conf2", "noaer", "nodomains", "nommconf",
	"nomsi", "noioapicquirk", "ioapicreroute", "noioapicreroute", "noari",
	"bios", "nobios", "nosort", "biosirq", "rom", "norom", "nobar",
	"assign-busses", "usepirqmask", "noacpi", "routeirq", "skip_isa_align",
	"noearly", "use_crs", "nocrs", "use_e820", "no_e820", "big_root_window",
	"pcie_scan_all", "realloc", "norealloc", "pcie_bus_tune_off",
	"pcie_bus_safe", "pcie_bus_perf", "pcie_bus_peer2peer", "force_floating",
	"irqmask=", "pirqaddr=", "lastbus=", "cbiosize=", "cbmemsize=",
	"resource_alignment=", "ecrc=", "hpiosize=", "hpmmiosize=",
	"hpmmioprefsize=", "hpmemsize=", "hpbussize=", "realloc=", "noats",
	"disable_acs_redir=", "config_acs=", "check_enable_amd_mmconf",
	"nocheck_enable_amd_mmconf", "fastboot", "noaer",
};

static bool known_pci_option(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pci_options); i++) {
		size_t len = strlen(pci_options[i]);

		if (pci_options[i][len - 1] == '=' ? !strncmp(s, pci_options[i], len) :
		    !strcmp(s, pci_options[i]))
			return true;
	}
	return false;
}

static int set_param(char **slot, const char *value, const char *name,
		     struct p2pdma_acs_params *out)
{
	char *dup = strdup(value);

	if (!dup)
		return -ENOMEM;
	if (*slot)
		p2pdma_strv_pushf(&out->notes, &out->nr_notes,
				  "pci=%s is given more than once: the kernel keeps only the last one (%s)",
				  name, value);
	free(*slot);
	*slot = dup;
	return 0;
}

/* pci_setup(): options separated by commas, processed in order. */
static int pci_setup(char *str, struct p2pdma_acs_params *out)
{
	int ret = 0;

	while (str && !ret) {
		char *k = strchr(str, ',');

		if (k)
			*k++ = '\0';
		if (!*str) {
			str = k;
			continue;
		}
		if (!strncmp(str, "disable_acs_redir=", 18))
			ret = set_param(&out->disable_acs_redir, str + 18,
					"disable_acs_redir=", out);
		else if (!strncmp(str, "config_acs=", 11))
			ret = set_param(&out->config_acs, str + 11, "config_acs=", out);
		else if (!strncmp(str, "noats", 5))
			out->noats = true;
		else if (!known_pci_option(str))
			p2pdma_strv_pushf(&out->notes, &out->nr_notes,
					  "the kernel does not know the pci= option `%s' (pci= options are split at commas; separate devices with ';'); it logs \"PCI: Unknown option `%s'\"",
					  str, str);
		str = k;
	}
	return ret;
}

int p2pdma_cmdline_acs_params(const char *cmdline, struct p2pdma_acs_params *out)
{
	char *buf, *args;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!cmdline)
		return 0;
	buf = strdup(cmdline);
	if (!buf)
		return -ENOMEM;
	args = (char *)kskip_spaces(buf);
	while (*args && !ret) {
		char *param, *val;

		args = next_arg(args, &param, &val);
		/* "--" hands the rest to init: the kernel parses no further. */
		if (!val && !strcmp(param, "--"))
			break;
		if (!strcmp(param, "pci") && val)
			ret = pci_setup(val, out);
	}
	free(buf);
	if (ret)
		p2pdma_acs_params_free(out);
	return ret;
}

void p2pdma_acs_params_free(struct p2pdma_acs_params *a)
{
	free(a->disable_acs_redir);
	free(a->config_acs);
	p2pdma_strv_free(a->notes, a->nr_notes);
	memset(a, 0, sizeof(*a));
}
