// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * NCCL topology XML (NCCL_TOPO_FILE) written from our model, for VMs and
 * containers whose own view of the PCIe tree is flattened, so that NCCL
 * sees the switches that are really there.  NCCL's own dump lists switch
 * upstream ports as the bridges and leaves root ports and downstream
 * ports out; so do we.  <cpu> per NUMA node, with the boot CPU's vendor,
 * family and model; link_speed and link_width are the link's maximum, as
 * NCCL computes them.  Functions doctor does not look at are left out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "export_int.h"

static void prop(xmlNode *n, const char *name, const char *fmt, unsigned int v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), fmt, v);
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)buf);
}

static xmlNode *pci(xmlNode *parent, const struct p2pdma_function *fn)
{
	xmlNode *n = xmlNewChild(parent, NULL, (const xmlChar *)"pci", NULL);
	char buf[P2PDMA_BDF_STRLEN + 8], sp[32];
	uint32_t speed = fn->link.max_speed ? fn->link.max_speed : fn->link.speed;
	uint32_t width = fn->link.max_width ? fn->link.max_width : fn->link.width;

	xmlNewProp(n, (const xmlChar *)"busid",
		   (const xmlChar *)p2pdma_bdf_format(&fn->bdf, buf, sizeof(buf)));
	prop(n, "class", "0x%06x", fn->class_code);
	prop(n, "vendor", "0x%04x", fn->vendor);
	prop(n, "device", "0x%04x", fn->device);
	prop(n, "subsystem_vendor", "0x%04x", fn->subsys_vendor);
	prop(n, "subsystem_device", "0x%04x", fn->subsys_device);
	if (speed) {
		snprintf(buf, sizeof(buf), "%s PCIe", p2pdma_link_speed_format(speed, sp, sizeof(sp)));
		xmlNewProp(n, (const xmlChar *)"link_speed", (const xmlChar *)buf);
	}
	if (width)
		prop(n, "link_width", "%u", width);
	return n;
}

/* Switch upstream ports become <pci> bridges; other bridges are passed through. */
static void emit(xmlNode *parent, const struct p2pdma_function *fn)
{
	xmlNode *here = parent;
	size_t i;

	if (!p2pdma_function_is_bridge(fn)) {
		if (p2pdma_fn_default_class(fn))
			pci(parent, fn);
		return;
	}
	if (fn->role == P2PDMA_ROLE_SWITCH_UPSTREAM)
		here = pci(parent, fn);
	for (i = 0; i < fn->nr_children; i++)
		emit(here, fn->children[i]);
	if (here != parent && !here->children) {
		xmlUnlinkNode(here);
		xmlFreeNode(here);
	}
}

static xmlNode *cpu_for(xmlNode *sys, const struct p2pdma_fabric *f, int numa)
{
	xmlNode *c;

	for (c = sys->children; c; c = c->next) {
		xmlChar *id = xmlGetProp(c, (const xmlChar *)"numaid");
		bool same = id && atoi((const char *)id) == numa;

		xmlFree(id);
		if (same)
			return c;
	}
	c = xmlNewChild(sys, NULL, (const xmlChar *)"cpu", NULL);
	prop(c, "numaid", "%d", (unsigned int)numa);
	if (f->cpu.known) {
		xmlNewProp(c, (const xmlChar *)"vendor", (const xmlChar *)f->cpu.vendor);
		prop(c, "familyid", "%u", f->cpu.family);
		prop(c, "modelid", "%u", f->cpu.model);
	}
	return c;
}

int p2pdma_export_nccl(const struct p2pdma_fabric *f, char **out)
{
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNode *sys = xmlNewNode(NULL, (const xmlChar *)"system");
	xmlChar *mem = NULL;
	size_t h, i;
	int len = 0;

	*out = NULL;
	if (!doc || !sys) {
		xmlFreeDoc(doc);
		xmlFreeNode(sys);
		return -ENOMEM;
	}
	xmlDocSetRootElement(doc, sys);
	xmlNewProp(sys, (const xmlChar *)"version", (const xmlChar *)"1");
	for (h = 0; h < f->nr_hbs; h++) {
		const struct p2pdma_host_bridge *hb = f->hbs[h];
		xmlNode *cpu = cpu_for(sys, f, hb->numa_node);

		for (i = 0; i < hb->nr_children; i++)
			emit(cpu, hb->children[i]);
	}
	xmlDocDumpFormatMemory(doc, &mem, &len, 1);
	xmlFreeDoc(doc);
	if (mem)
		*out = strndup((const char *)mem, (size_t)len);
	xmlFree(mem);
	return *out ? 0 : -ENOMEM;
}
