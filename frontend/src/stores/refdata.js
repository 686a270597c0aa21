import { defineStore } from 'pinia'
import { chains as chainsApi, campaigns as campaignsApi, itemsOf } from '../api'

// Reference lists many pages need (chains, campaigns), loaded once per session.
export const useRefStore = defineStore('refdata', {
  state: () => ({ chains: [], chainsLoaded: false, campaigns: [], campaignsLoaded: false }),
  actions: {
    async loadChains(force = false) {
      if (this.chainsLoaded && !force) return this.chains
      try {
        this.chains = itemsOf(await chainsApi.list())
        this.chainsLoaded = true
      } catch {
        this.chains = []
      }
      return this.chains
    },
    async loadCampaigns(force = false) {
      if (this.campaignsLoaded && !force) return this.campaigns
      try {
        this.campaigns = itemsOf(await campaignsApi.list())
        this.campaignsLoaded = true
      } catch {
        this.campaigns = []
      }
      return this.campaigns
    },
    reset() {
      this.chains = []; this.chainsLoaded = false; this.campaigns = []; this.campaignsLoaded = false
    },
  },
})
