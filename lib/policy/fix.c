// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fix for a verdict, given the way it lasts: the kernel command-line
 * argument as a boot-loader drop-in, and, labelled as lost at reboot, the
 * setpci commands that change the registers now.  A host bridge that is
 * not on the allow-list cannot be fixed from the command line; we say
 * what would allow it and never suggest pci=noacs, which mainline Linux
 * does not have (PEERS.md 4).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

#define GRUB_DROPIN "/etc/default/grub.d/90-p2pdma-acs.cfg"

static const char *bdf(const struct p2pdma_function *fn, char *buf)
{
	return p2pdma_bdf_format(&fn->bdf, buf, P2PDMA_BDF_STRLEN);
}

/* Does the ';'-separated @list already name @name exactly? */
static bool list_has(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *s = list;

	while (s && *s) {
		const char *e = strchrnul(s, ';');

		if ((size_t)(e - s) == len && !strncasecmp(s, name, len))
			return true;
		s = *e ? e + 1 : e;
	}
	return false;
}

/*
 * The devices to list: the redirecting ones in the kernel's order, then
 * those whose state is unknown (naming a device without ACS in
 * disable_acs_redir is harmless: the kernel skips it).  A
 * disable_acs_redir= already on the loaded command line is kept in front,
 * because the kernel honours only the last one given.
 */
static void list_add(struct p2pdma_buf *b, const struct p2pdma_function *const *fns,
		     size_t n)
{
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < n; i++) {
		bdf(fns[i], name);
		if (b->s && list_has(b->s, name))
			continue;
		p2pdma_buf_printf(b, "%s%s", b->len ? ";" : "", name);
	}
}

static char *acs_list(const struct p2pdma_verdict *v, const char *existing)
{
	struct p2pdma_buf b = { 0 };
	char *s;

	if (existing && *existing)
		p2pdma_buf_puts(&b, existing);
	list_add(&b, v->acs, v->nr_acs);
	list_add(&b, v->acs_unknown, v->nr_acs_unknown);
	if (p2pdma_buf_finish(&b, &s))
		return NULL;
	return s;
}

/* The boot-loader drop-in that makes pci=disable_acs_redir=@list last. */
static void dropin_text(struct p2pdma_buf *b, const char *cmdline, const char *list)
{
	p2pdma_buf_printf(b, "  Lasting, from the next boot (kernel command line):\n"
			  "    %s\n"
			  "  Debian/Ubuntu: write this line to %s and run update-grub:\n"
			  "    GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX pci=disable_acs_redir=\\\"%s\\\"\"\n"
			  "  (the quotes stop GRUB from reading ';' as the end of a command; with another boot loader add the same argument to the kernel command line).\n",
			  cmdline, GRUB_DROPIN, list);
}

int p2pdma_fix_acs_lasting(const struct p2pdma_policy *p,
			   const struct p2pdma_function *const *fns, size_t n,
			   char **cmdline, char **text)
{
	struct p2pdma_acs_params cur;
	struct p2pdma_buf b = { 0 }, t = { 0 };
	char *list = NULL;
	int ret;

	*cmdline = *text = NULL;
	ret = p2pdma_cmdline_acs_params(p->f->cmdline, &cur);
	if (ret)
		return ret;
	if (cur.disable_acs_redir && *cur.disable_acs_redir)
		p2pdma_buf_puts(&b, cur.disable_acs_redir);
	list_add(&b, fns, n);
	ret = p2pdma_buf_finish(&b, &list);
	if (!ret && asprintf(cmdline, "pci=disable_acs_redir=%s", list) < 0) {
		*cmdline = NULL;
		ret = -ENOMEM;
	}
	if (!ret) {
		dropin_text(&t, *cmdline, list);
		if (cur.disable_acs_redir)
			p2pdma_buf_printf(&t, "  This machine already boots with pci=disable_acs_redir=%s; the list above keeps it, since the kernel honours only the last one.\n",
					  cur.disable_acs_redir);
		ret = p2pdma_buf_finish(&t, text);
	}
	free(list);
	p2pdma_acs_params_free(&cur);
	if (ret) {
		free(*cmdline);
		*cmdline = NULL;
	}
	return ret;
}

static int setpci_lines(struct p2pdma_verdict *v)
{
	char name[P2PDMA_BDF_STRLEN];
	size_t i;
	int ret = 0;

	for (i = 0; i < v->nr_acs && !ret; i++)
		ret = p2pdma_strv_pushf(&v->fix_setpci, &v->nr_fix_setpci,
					"setpci -s %s ECAP_ACS+0x6.w=%04x", bdf(v->acs[i], name),
					v->acs[i]->acs_ctrl & ~P2PDMA_ACS_REDIRECT_MASK & 0xffff);
	/* Unknown value: setpci's value:mask form clears only RR, CR and EC. */
	for (i = 0; i < v->nr_acs_unknown && !ret; i++)
		ret = p2pdma_strv_pushf(&v->fix_setpci, &v->nr_fix_setpci,
					"setpci -s %s ECAP_ACS+0x6.w=0000:%04x",
					bdf(v->acs_unknown[i], name), P2PDMA_ACS_REDIRECT_MASK);
	return ret;
}

/* Devices a config_acs= on the loaded command line would set after us. */
static void config_acs_note(struct p2pdma_buf *b, const struct p2pdma_verdict *v,
			    const char *config_acs)
{
	char name[P2PDMA_BDF_STRLEN], **log = NULL;
	size_t i, nr = 0;
	bool once = false;

	if (!config_acs)
		return;
	for (i = 0; i < v->nr_acs; i++) {
		uint16_t ctrl = v->acs[i]->acs_ctrl;

		if (p2pdma_config_acs(v->acs[i], config_acs, 0, 0, 0, &ctrl, NULL,
				      &log, &nr, &once) == 1)
			p2pdma_buf_printf(b, "  Note: pci=config_acs= on this machine's command line also names %s; the kernel applies it after disable_acs_redir and it wins, so edit its flags instead (RR, CR and EC are bits 2, 3 and 5 from the right).\n",
					  bdf(v->acs[i], name));
	}
	p2pdma_strv_free(log, nr);
}

static void rebind_words(struct p2pdma_buf *b, const struct p2pdma_verdict *v)
{
	char name[P2PDMA_BDF_STRLEN];
	const char *drv = v->provider->driver;

	bdf(v->provider, name);
	p2pdma_buf_puts(b, "  A running kernel keeps the verdict it computed at this pair's first DMA mapping and never checks ACS again; ");
	if (drv)
		p2pdma_buf_printf(b, "after setpci, unbind and bind the provider's driver so it is computed afresh:\n"
				  "    echo %s > /sys/bus/pci/drivers/%s/unbind\n"
				  "    echo %s > /sys/bus/pci/drivers/%s/bind\n",
				  name, drv, name, drv);
	else
		p2pdma_buf_printf(b, "after setpci, unbind and bind the driver of %s so it is computed afresh.\n",
				  name);
}

static int acs_fix(const struct p2pdma_policy *p, struct p2pdma_verdict *v)
{
	struct p2pdma_acs_params cur;
	struct p2pdma_buf b = { 0 };
	char *list;
	size_t i;
	int ret;

	ret = p2pdma_cmdline_acs_params(p->f->cmdline, &cur);
	if (ret)
		return ret;
	list = acs_list(v, cur.disable_acs_redir);
	if (!list || asprintf(&v->fix_cmdline, "pci=disable_acs_redir=%s", list) < 0) {
		v->fix_cmdline = NULL;
		free(list);
		p2pdma_acs_params_free(&cur);
		return -ENOMEM;
	}
	if (!v->nr_acs)
		p2pdma_buf_puts(&b, "If one of them does redirect, this clears it and gives BUS_ADDR:\n");
	else if (v->map_type == P2PDMA_MAP_THRU_HOST_BRIDGE)
		p2pdma_buf_puts(&b, "It works as is, through the host bridge. For BUS_ADDR (traffic stays below the common bridge), stop these devices redirecting peer traffic:\n");
	else
		p2pdma_buf_puts(&b, "Stop these devices redirecting peer traffic; the pair then gets BUS_ADDR (traffic stays below the common bridge):\n");
	dropin_text(&b, v->fix_cmdline, list);
	if (cur.disable_acs_redir)
		p2pdma_buf_printf(&b, "  This machine already boots with pci=disable_acs_redir=%s; the list above keeps it, since the kernel honours only the last one.\n",
				  cur.disable_acs_redir);
	config_acs_note(&b, v, cur.config_acs);
	free(list);
	p2pdma_acs_params_free(&cur);
	ret = setpci_lines(v);
	if (ret) {
		free(b.s);
		return ret;
	}
	p2pdma_buf_puts(&b, "  Now, lost at reboot (as root):\n");
	for (i = 0; i < v->nr_fix_setpci; i++)
		p2pdma_buf_printf(&b, "    %s\n", v->fix_setpci[i]);
	rebind_words(&b, v);
	p2pdma_buf_puts(&b, "  Trade-off: ACS redirect is what keeps these devices apart under an IOMMU; without it they reach each other without the IOMMU's check, and their IOMMU groups may merge.");
	return p2pdma_buf_finish(&b, &v->fix);
}

/* __host_bridge_whitelist() again, for the fix: every host bridge, no short circuit. */
static void hb_problem(struct p2pdma_buf *b, const struct p2pdma_host_bridge *host,
		       bool same, bool *req_same, bool *no_entry, bool *no_dev)
{
	size_t count;
	const struct p2pdma_allow_entry *tbl = p2pdma_allow_list(&count);
	const struct p2pdma_function *dev = p2pdma_host_bridge_dev(host);
	char name[P2PDMA_BDF_STRLEN];
	bool unknown;
	int entry;

	if (!dev) {
		*no_dev = true;
		p2pdma_buf_printf(b, "  - the kernel finds no device to look up for host bridge %s (no function at 00.0 on its root bus, and the first one is not a root port);\n",
				  host->name);
		return;
	}
	entry = p2pdma_allow_match_id(dev->vendor, dev->device, &unknown);
	if (unknown) {
		*no_entry = true;
		p2pdma_buf_printf(b, "  - the ID of %s, the device the kernel looks up for host bridge %s, is unknown; if it is not on the kernel's allow-list the path is refused;\n",
				  bdf(dev, name), host->name);
	} else if (entry < 0) {
		*no_entry = true;
		p2pdma_buf_printf(b, "  - host bridge %s is %04x:%04x (looked up at %s), which is not on the kernel's allow-list;\n",
				  host->name, dev->vendor, dev->device, bdf(dev, name));
	} else if (!same && (tbl[entry].flags & P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE)) {
		*req_same = true;
		p2pdma_buf_printf(b, "  - host bridge %s (%04x:%04x) is allowed only for peers under that same host bridge;\n",
				  host->name, dev->vendor, dev->device);
	}
}

static int host_bridge_fix(const struct p2pdma_policy *p, struct p2pdma_verdict *v)
{
	const struct p2pdma_host_bridge *ha = v->provider->host, *hb = v->client->host;
	const struct p2pdma_cpu *cpu = &p->f->cpu;
	bool req_same = false, no_entry = false, no_dev = false;
	struct p2pdma_buf b = { 0 };

	p2pdma_buf_puts(&b, "The host-bridge path is refused:\n");
	hb_problem(&b, ha, ha == hb, &req_same, &no_entry, &no_dev);
	if (hb != ha)
		hb_problem(&b, hb, false, &req_same, &no_entry, &no_dev);
	p2pdma_buf_puts(&b, "What would allow it:\n"
			"  - both devices below one PCIe switch (a common upstream bridge without ACS redirect): BUS_ADDR, no host bridge involved;\n");
	if (req_same)
		p2pdma_buf_puts(&b, "  - both devices under the same host bridge (slots wired to the same root complex);\n");
	if (!cpu->known)
		p2pdma_buf_puts(&b, "  - an AMD CPU of family 0x17 (Zen) or newer, where the kernel allows every host-bridge path (the CPU of this machine is unknown: if it is one, the pair already works);\n");
	else
		p2pdma_buf_printf(&b, "  - an AMD CPU of family 0x17 (Zen) or newer, where the kernel allows every host-bridge path (this one is %s family %#x);\n",
				  cpu->vendor, cpu->family);
	if (no_entry)
		p2pdma_buf_puts(&b, "  - a kernel whose allow-list (pci_p2pdma_whitelist in drivers/pci/p2pdma.c) has an entry for that host bridge; newer kernels add entries, but an entry belongs only to hardware that forwards peer traffic correctly (forcing it has corrupted data silently);\n");
	if (no_dev)
		p2pdma_buf_puts(&b, "  - a kernel change: the kernel cannot identify this root complex at all;\n");
	p2pdma_buf_puts(&b, "No kernel parameter lifts this rule, and ACS settings do not change it; pci=noacs, often suggested, does not exist in mainline Linux.");
	return p2pdma_buf_finish(&b, &v->fix);
}

static int nonpci_fix(struct p2pdma_verdict *v)
{
	v->fix = strdup("Name the PCI function that does the DMA (for a block device its NVMe controller, for a network interface its PCI function): the kernel resolves a client to its nearest PCI parent, and a device with none cannot take part in peer-to-peer DMA.");
	return v->fix ? 0 : -ENOMEM;
}

int p2pdma_explain_fix(struct p2pdma_policy *p, struct p2pdma_verdict *v)
{
	bool maybe_refused = !p2pdma_verdict_ok(v);

	if (!v->client)
		return nonpci_fix(v);
	if (v->common && (v->nr_acs || v->nr_acs_unknown) &&
	    (v->nr_acs || !v->certain))
		return acs_fix(p, v);
	if (!v->common && maybe_refused)
		return host_bridge_fix(p, v);
	return 0;
}
